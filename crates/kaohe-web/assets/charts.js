// kaohe: the results pages' charts, drawn by Apache ECharts (assets/echarts.min.js,
// served from the binary like everything else). Each chart is a <div data-chart="…">
// inside an element whose data-charts attribute holds the page's numbers as JSON.
(function () {
  "use strict";
  if (!window.echarts) return;
  var BLUE = "#1a5fb4", GREY = "#9aa5b1", GREEN = "#2f8f5b";
  var font = { fontFamily: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };

  function num(list) { return list.map(function (v) { return Number(v); }); }

  var charts = {
    // A unit's gaps: what each improvement alone would give back, best at the top.
    gaps: function (d) {
      return {
        textStyle: font,
        title: { text: "单独改进每一项能提的分数", left: "center", textStyle: { fontSize: 15 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 160, right: 40, top: 40, bottom: 30 },
        xAxis: { type: "value", name: "分", minInterval: 0.5 },
        yAxis: { type: "category", data: d.gaps.slice().reverse(), axisLabel: { width: 150, overflow: "truncate" } },
        series: [{ type: "bar", data: num(d.gains).reverse(), itemStyle: { color: GREEN },
          label: { show: true, position: "right", formatter: function (p) { return "+" + p.value; } } }]
      };
    },
    // The what-if: each unit's rank under the current rubric and under the draft.
    slope: function (d) {
      return {
        textStyle: font,
        title: { text: "名次变化（现行 → 试算）", left: "center", textStyle: { fontSize: 15 } },
        tooltip: { trigger: "item", formatter: function (p) { return p.seriesName + "：第 " + p.value + " 名"; } },
        grid: { left: 90, right: 90, top: 40, bottom: 30 },
        xAxis: { type: "category", data: ["现行细则", "试算细则"], boundaryGap: false },
        yAxis: { type: "value", inverse: true, min: 1, max: d.units.length, interval: 1, name: "名次" },
        series: d.units.map(function (u, k) {
          var moved = d.before[k] !== d.after[k];
          return {
            name: u, type: "line", data: [d.before[k], d.after[k]],
            lineStyle: { width: moved ? 3 : 1, color: moved ? BLUE : GREY },
            itemStyle: { color: moved ? BLUE : GREY },
            label: { show: true, formatter: function (p) { return p.dataIndex === 0 ? u : ""; }, position: "left" },
            endLabel: { show: moved, formatter: u }
          };
        })
      };
    },
    // The ranking: every unit's total (base + bonus stacked), best first.
    ranking: function (d) {
      var units = d.units.slice().reverse();
      return {
        textStyle: font,
        title: { text: "考核总分排名", left: "center", textStyle: { fontSize: 15 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0, data: d.split === false ? ["总分"] : ["基础分", "加分"] },
        grid: { left: 90, right: 50, top: 40, bottom: 40 },
        xAxis: { type: "value", name: "分" },
        yAxis: { type: "category", data: units },
        series: [
          { name: d.split === false ? "总分" : "基础分", type: "bar", stack: "total", data: num(d.base).reverse(), itemStyle: { color: BLUE } },
          { name: "加分", type: "bar", stack: "total", data: num(d.bonus).reverse(), itemStyle: { color: GREEN },
            label: { show: true, position: "right", formatter: function (p) { return d.total[d.units.length - 1 - p.dataIndex]; } } }
        ]
      };
    },
    // Self-check against assessment, per unit.
    self: function (d) {
      return {
        textStyle: font,
        title: { text: "自查总分与考核总分", left: "center", textStyle: { fontSize: 15 } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0, data: ["自查总分", "考核总分"] },
        grid: { left: 50, right: 20, top: 40, bottom: 70 },
        xAxis: { type: "category", data: d.units, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", name: "分" },
        series: [
          { name: "自查总分", type: "bar", data: num(d.self), itemStyle: { color: GREY } },
          { name: "考核总分", type: "bar", data: num(d.total), itemStyle: { color: BLUE } }
        ]
      };
    },
    // One unit's results year over year: the total and each category's subtotal.
    years: function (d) {
      var vals = function (list) { return list.map(function (v) { return v === null ? null : Number(v); }); };
      var series = [{ name: "总分", type: "line", data: vals(d.totals), itemStyle: { color: BLUE },
        label: { show: true, position: "top" }, connectNulls: false }];
      d.series.forEach(function (s) {
        series.push({ name: s.name, type: "line", data: vals(s.values), connectNulls: false });
      });
      return {
        textStyle: font,
        title: { text: "历年对比", left: "center", textStyle: { fontSize: 15 } },
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 50, right: 30, top: 40, bottom: 50 },
        xAxis: { type: "category", data: d.years },
        yAxis: { type: "value", name: "分" },
        series: series
      };
    },
    // One unit's category profile against the average of all units, as score rates.
    profile: function (d) {
      return {
        textStyle: font,
        title: {
          text: d.unit + "：各类工作得分率",
          subtext: "加分：本单位 " + d.bonus + " 分，各单位平均 " + d.bonus_average + " 分",
          left: "center", textStyle: { fontSize: 15 }
        },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
        legend: { bottom: 0, data: [d.unit, "各单位平均"] },
        grid: { left: 50, right: 20, top: 90, bottom: 40 },
        xAxis: { type: "category", data: d.categories },
        yAxis: { type: "value", name: "得分率 %", max: 100 },
        series: [
          { name: d.unit, type: "bar", data: num(d.rate), itemStyle: { color: BLUE },
            label: { show: true, position: "top", formatter: "{c}%" } },
          { name: "各单位平均", type: "bar", data: num(d.average), itemStyle: { color: GREY },
            label: { show: true, position: "top", formatter: "{c}%" } }
        ]
      };
    }
  };

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var holder = el.closest("[data-charts]");
    var make = charts[el.getAttribute("data-chart")];
    if (!holder || !make) return;
    var data = JSON.parse(holder.getAttribute("data-charts"));
    if (!data.units && !data.categories && !data.years && !data.gaps) return;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(make(data));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
