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
    if (unit === "ratio") return "1 : " + v.toFixed(1);
    if (unit === "yuan") return "¥" + Math.round(v).toLocaleString();
    return Math.round(v).toLocaleString();
  }

  function trend(node, s) {
    var dark = node.dataset.dark === "1";
    var chart = echarts.init(node, dark ? "dark" : null, { renderer: "svg" });
    var days = s.points.map(function (p) { return p[0]; });
    var hasTarget = s.points.some(function (p) { return p[2] !== null; });
    var series = [{
      name: node.dataset.valueLabel, type: "line", showSymbol: false, smooth: false,
      data: s.points.map(function (p) { return p[1]; }), lineStyle: { width: 2 },
    }];
    if (hasTarget) {
      series.push({
        name: node.dataset.targetLabel, type: "line", showSymbol: false, step: "end",
        data: s.points.map(function (p) { return p[2]; }),
        lineStyle: { type: "dashed", width: 1.5, color: "#b42318" }, itemStyle: { color: "#b42318" },
      });
    }
    chart.setOption({
      backgroundColor: "transparent",
      title: node.dataset.title ? { text: node.dataset.title, textStyle: { fontSize: 14 } } : undefined,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return format(s.unit, v); } },
      grid: { left: 56, right: 16, top: node.dataset.title ? 36 : 16, bottom: 28 },
      xAxis: { type: "category", data: days, axisLabel: { formatter: function (d) { return d.slice(0, 7); } } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return format(s.unit, v); } } },
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

  var ranking = data("screen-ranking");
  var rankingNode = document.getElementById("ranking-chart");
  if (ranking && rankingNode) {
    var chart = echarts.init(rankingNode, "dark", { renderer: "svg" });
    chart.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis" },
      grid: { left: 96, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: ranking.map(function (r) { return r.name; }) },
      series: [{
        name: rankingNode.dataset.label, type: "bar",
        data: ranking.map(function (r) { return r.met; }),
        itemStyle: { color: "#3fb68b" },
        label: { show: true, position: "right", formatter: function (p) { return ranking[p.dataIndex].met + " / " + ranking[p.dataIndex].judged; } },
      }],
    });
    charts.push(chart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
