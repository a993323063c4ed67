"""The monthly progress report as an A4 PDF: the layout of ``coverage.report.Content`` in the
style of a government work report (a centred title, 一、二、三 sections, ruled tables whose
header rows repeat on every page, 「第 x 页 共 y 页」 at the foot). Nothing is counted here.

It sits in coverage/ beside the content, not in dashboard/: the PDF is a stored artefact a
Celery task of the coverage engine builds (like a snapshot run), not a page's response, and
the engine must not import the web face."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from coverage.report import Content

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 25 * mm, 28 * mm, 22 * mm
WIDTH = A4[0] - 2 * MARGIN_X
GRID = colors.HexColor("#666666")
SHADE = colors.HexColor("#eeeeee")
STATE_COLOURS = {"met": colors.HexColor("#1b5e20"), "behind": colors.HexColor("#b71c1c")}

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=17, leading=26, alignment=TA_CENTER)
SUBTITLE = ParagraphStyle("subtitle", fontName=FONT, fontSize=10.5, leading=16, alignment=TA_CENTER)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=20, spaceBefore=10,
                         spaceAfter=4)  # fmt: skip
SUBHEADING = ParagraphStyle("subheading", fontName=FONT, fontSize=11, leading=17, spaceBefore=6,
                            spaceAfter=3)  # fmt: skip
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, firstLineIndent=21,
                      wordWrap="CJK")  # fmt: skip
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11, wordWrap="CJK")
HEAD_CELL = ParagraphStyle("head", parent=CELL, alignment=TA_CENTER)
NUMBERS = "一二三四五六七八九十"


def _p(text: str, style=CELL) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(header: list[str], rows: list[list], widths: list[float]) -> Table:
    """A ruled table; its header row repeats at the top of every page it runs onto."""
    data = [[_p(h, HEAD_CELL) for h in header]]
    data += [[c if isinstance(c, Paragraph) else _p(c) for c in row] for row in rows]
    table = Table(data, colWidths=[w * WIDTH for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _value(value: str, fraction: str) -> Paragraph:
    """The value, and under it what it was counted from (numerator / denominator)."""
    if not fraction:
        return _p(value)
    return Paragraph(f'{escape(value)}<br/><font size="7">{escape(fraction)}</font>', CELL)


def _judgement(text: str, state: str) -> Paragraph:
    colour = STATE_COLOURS.get(state)
    if colour is None:
        return _p(text)
    return Paragraph(f'<font color="{colour.hexval()}">{escape(text)}</font>', CELL)


def story(content: Content) -> list:
    """The flowables of the report, section by section."""
    # the month on a line of its own under the title, as such titles are set
    head, _bracket, month = content.title.partition("（")
    out: list = [_p(head, TITLE)]
    if month:
        out.append(_p(f"（{month}", TITLE))
    if content.on is not None:
        out.append(_p(f"（数据截至 {content.on:%Y年%m月%d日}）", SUBTITLE))
    out.append(Spacer(1, 6 * mm))
    if content.on is None:
        return out + [_p(note, BODY) for note in content.notes]
    sections = _sections(content)
    for number, (heading, flowables) in zip(NUMBERS, sections, strict=False):
        out.append(_p(f"{number}、{heading}", HEADING))
        out += flowables
    return out


def _sections(content: Content) -> list[tuple[str, list]]:
    sections = [("总体情况", _overview(content)), ("各项指标", _indicators(content))]
    if content.children_heading:
        sections.append((f"{content.children_heading}排名", _children(content)))
    sections.append(("短板清单", _gaps(content)))
    sections.append(("说明", [_p(f"{i}. {n}", BODY) for i, n in enumerate(content.notes, 1)]))
    return sections


def _overview(content: Content) -> list:
    text = (
        f"截至 {content.on:%Y年%m月%d日}，{content.region_name}适用的 {content.judged} 项目标中"
        f"已达标 {content.met} 项，未达标 {content.judged - content.met} 项，"
        f"即达标 {content.met} / 适用 {content.judged}。"
    )
    out = [_p(text, BODY)]
    if content.due is not None:
        d = content.deadline
        if content.on > content.due:
            text = (
                f"规划目标期限为 {content.due:%Y年%m月%d日}，已过期限：按期达标 {d['on_time']} 项，"
                f"逾期达标 {d['late']} 项，逾期仍未达标 {d['open']} 项。"
            )
        else:
            days = (content.due - content.on).days
            text = f"规划目标期限为 {content.due:%Y年%m月%d日}，距期限还有 {days} 天。"
        out.append(_p(text, BODY))
    if content.before is None:
        out.append(_p("上月无快照，本期不作比较。", BODY))
    else:
        met = "、".join(content.newly_met) or "无"
        behind = "、".join(content.newly_behind) or "无"
        out.append(_p(f"与上月末相比，新达标：{met}；转为未达标：{behind}。", BODY))
    return out


def _indicators(content: Content) -> list:
    out = []
    for number, (label, lines) in enumerate(content.groups, 1):
        out.append(_p(f"（{NUMBERS[number - 1]}）{label}", SUBHEADING))
        rows = [
            [
                line.name,
                _value(line.value, line.fraction),
                line.target,
                _judgement(line.judgement, line.state),
                line.change,
            ]
            for line in lines
        ]
        out.append(
            _table(["指标", "现值", "目标", "判断", "较上月"], rows, [0.33, 0.14, 0.17, 0.19, 0.17])
        )
    return out


def _children(content: Content) -> list:
    if not content.children:
        return [_p("无下级区域数据。", BODY)]
    rows = [
        [str(rank), child.name, str(child.met), str(child.judged), child.share]
        for rank, child in enumerate(content.children, 1)
    ]
    intro = _p("按适用目标达标比例由高到低排列（同比例按区划代码）。", BODY)
    return [
        intro,
        _table(["名次", "区域", "达标", "适用", "达标比例"], rows, [0.1, 0.42, 0.14, 0.14, 0.2]),
    ]


def _gaps(content: Content) -> list:
    out = [_p("（一）村级服务网络短板", SUBHEADING)]
    if content.village_gaps:
        rows = [[town, village, "、".join(lacks)] for town, village, lacks in content.village_gaps]
        out.append(_table(["乡镇", "村（社区）", "缺少"], rows, [0.25, 0.3, 0.45]))
    else:
        out.append(_p("各村互助点、养老服务助理、志愿服务队、老年协会均已覆盖。", BODY))
    out.append(_p("（二）未达标机构", SUBHEADING))
    if content.failing:
        rows = [[name, item] for name, items in content.failing for item in items]
        out.append(_table(["指标", "机构及原因"], rows, [0.35, 0.65]))
    else:
        out.append(_p("无逐机构判断未达标的机构。", BODY))
    return out


class _NumberedCanvas(canvas.Canvas):
    """Holds the pages until the end, so each foot can say how many pages there are."""

    title = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = A4
        self.saveState()
        self.setFont(FONT, 8.5)
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        top = height - MARGIN_TOP + 8 * mm
        self.drawString(MARGIN_X, top + 2 * mm, self.title)
        self.line(MARGIN_X, top, width - MARGIN_X, top)
        self.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, width - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
        self.drawCentredString(
            width / 2, MARGIN_BOTTOM - 11 * mm, f"第 {self._pageNumber} 页 共 {total} 页"
        )
        self.restoreState()


def render(content: Content) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=content.title,
        subject="农村养老服务体系建设目标进展月报",
    )
    numbered = type("Numbered", (_NumberedCanvas,), {"title": content.title})
    doc.build(story(content), canvasmaker=numbered)
    return buffer.getvalue()
