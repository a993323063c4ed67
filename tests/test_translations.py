"""Chinese first: every message has its Chinese, and the compiled catalogue is the current one."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def unquote(lines: list[str]) -> str:
    return "".join(re.match(r'^(?:msg\w+(?:\[\d\])?\s+)?"(.*)"$', line).group(1) for line in lines)


def entries():
    """(flags, msgid, msgid_plural, msgstr) of each active entry of django.po."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        body = [line for line in lines if not line.startswith("#")]
        if not body:
            continue
        parts: dict[str, list[str]] = {}
        key = None
        for line in body:
            if line.startswith("msg"):
                key = line.split()[0]
            parts.setdefault(key, []).append(line)
        msgid = unquote(parts.get("msgid", []))
        if not msgid:
            continue  # the header
        plural = unquote(parts["msgid_plural"]) if "msgid_plural" in parts else None
        msgstr = unquote(parts.get("msgstr", parts.get("msgstr[0]", [])))
        yield (
            flags,
            msgid.encode().decode("unicode_escape").encode("latin-1").decode(),
            plural,
            msgstr,
        )


def test_every_message_has_its_chinese():
    untranslated = [msgid for flags, msgid, _, msgstr in entries() if not msgstr]
    fuzzy = [msgid for flags, msgid, _, _ in entries() if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_messages():
    with (LOCALE / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = []
    for _flags, msgid, plural, _msgstr in entries():
        translated = catalogue.ngettext(msgid, plural, 1) if plural else catalogue.gettext(msgid)
        if translated == msgid and re.search(r"[A-Za-z]{3}", msgid):
            stale.append(msgid)
    assert stale == [], "run manage.py compilemessages -l zh_Hans"
