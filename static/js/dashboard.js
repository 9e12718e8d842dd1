// The executive's dashboard: the 12-month trend drawn with Apache ECharts from the page's json_script data (no
// inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("dashboard-trend");
    var source = document.getElementById("dashboard-trend-data");
    if (!holder || !source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      grid: { left: 40, right: 44, top: 48, bottom: 28 },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 10 } },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
        { type: "value", min: 0, max: 100, axisLabel: { fontSize: 10, formatter: "{value}%" } }
      ],
      series: [
        { name: data.labels.received, type: "bar", data: data.received, itemStyle: { color: "#1f4e79" } },
        { name: data.labels.acknowledged, type: "line", yAxisIndex: 1, data: data.acknowledged, connectNulls: false,
          itemStyle: { color: "#198754" } },
        { name: data.labels.resolved, type: "line", yAxisIndex: 1, data: data.resolved, connectNulls: false,
          itemStyle: { color: "#fd7e14" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
