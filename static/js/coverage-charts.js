/* Coverage charts with Apache ECharts (served locally). The pages carry their data as JSON
   (Django's json_script) and a plain table beside every chart, so they read without this. */
(function () {
  "use strict";
  if (!window.echarts) return;
  document.documentElement.classList.add("has-charts");
  var charts = [];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function format(unit, v) {
    if (v === null || v === undefined) return "—";
    if (unit === "percent") return v.toFixed(1) + " %";
    if (unit === "ratio") return v.toFixed(1) + " 人";
    if (unit === "yuan") return "¥" + Math.round(v).toLocaleString();
    return Math.round(v).toLocaleString();
  }

  // A round top for the axis above x: 4, 15, 25, 250 (the green band reaches it).
  function nice(x) {
    if (!(x > 0)) return 1;
    var step = Math.pow(10, Math.floor(Math.log10(x)));
    var half = step >= 10 ? step / 2 : step;
    return Math.ceil(x / half) * half;
  }

  // The side of the target line that meets it is shaded green and labelled, for "at least"
  // targets (above the line) and "at most" ones (below it: residents per staff member, where
  // fewer is better) alike, so a line in the green band is met whichever way the target runs.
  // The axis keeps its natural direction (0 at the bottom): the values read as counted.
  function trend(node, s) {
    var dark = node.dataset.dark === "1";
    var big = dark ? 20 : 12;
    var chart = echarts.init(node, dark ? "dark" : null, { renderer: "svg" });
    var days = s.points.map(function (p) { return p[0]; });
    var values = s.points.map(function (p) { return p[1]; });
    var targets = s.points.map(function (p) { return p[2]; }).filter(function (t) { return t !== null; });
    var target = targets.length ? targets[targets.length - 1] : null;
    var atMost = s.comparison === "lte";
    var highest = Math.max.apply(null, values.concat(targets).filter(function (v) { return v !== null; }).concat([0]));
    var top = s.unit === "percent" ? 100 : nice(highest * 1.15);
    var series = [{
      name: node.dataset.valueLabel, type: "line", showSymbol: values.length <= 12, smooth: false,
      data: values, lineStyle: { width: dark ? 4 : 2 },
    }];
    if (target !== null) {
      series.push({
        name: node.dataset.targetLabel, type: "line", showSymbol: false, step: "end",
        data: s.points.map(function (p) { return p[2]; }),
        lineStyle: { type: "dashed", width: 1.5, color: "#b42318" }, itemStyle: { color: "#b42318" },
        markArea: {
          silent: true,
          itemStyle: { color: "rgba(47, 158, 110, 0.15)" },
          label: { show: true, position: atMost ? "insideBottomRight" : "insideTopRight",
                   color: dark ? "#3fb68b" : "#0b6e4f", fontSize: big },
          data: [[
            { name: node.dataset.meetsLabel || "", yAxis: atMost ? 0 : target },
            { yAxis: atMost ? target : top },
          ]],
        },
      });
    }
    chart.setOption({
      backgroundColor: "transparent",
      textStyle: { fontSize: big },
      title: node.dataset.title ? { text: node.dataset.title, textStyle: { fontSize: dark ? 22 : 14 } } : undefined,
      tooltip: { trigger: "axis", textStyle: { fontSize: big }, valueFormatter: function (v) { return format(s.unit, v); } },
      grid: { left: dark ? 90 : 64, right: 16, top: node.dataset.title ? (dark ? 44 : 36) : 16, bottom: dark ? 36 : 28 },
      xAxis: { type: "category", data: days, axisLabel: { fontSize: big, formatter: function (d) { return d.slice(0, 7); } } },
      yAxis: {
        type: "value", min: 0, max: top,
        // whole numbers of things: no repeated ticks (0, 1, 1, 2) between them
        minInterval: s.unit === "count" || s.unit === "yuan" ? 1 : 0,
        axisLabel: { fontSize: big, formatter: function (v) { return format(s.unit, v); } },
      },
      series: series,
    });
    charts.push(chart);
  }

  var series = data("coverage-series") || [];
  var byCode = {};
  series.forEach(function (s) { byCode[s.code] = s; });
  document.querySelectorAll("[data-chart]").forEach(function (node) {
    var s = byCode[node.dataset.chart];
    if (s) trend(node, s);
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
