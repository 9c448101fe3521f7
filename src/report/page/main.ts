/**
 * The report page's own script: draws each chart of the embedded data with uPlot, marks every
 * gateway start and end on each, and says on the page itself what it drew (`data-*` attributes on
 * each figure, `window.ocpReport`, `data-report-state` on the root), so a test in a real browser
 * can check the charts without reading pixels.
 */
import uPlot from "uplot";
import type { ChartData, ChartUnit, MarkerKind, ReportData, ReportMarker } from "../report-data.js";

const PLOT_HEIGHT = 240;
const SERIES_COLOURS = ["#1f6fb4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const MARKER_COLOURS: Record<MarkerKind, string> = { start: "#2e7d32", exit: "#1565c0", uncaught: "#c62828", unrecorded: "#ef6c00", replaced: "#757575" };
const MIB = 1024 * 1024;

interface DrawnSeries {
  label: string;
  /** Buckets with a value. */
  points: number;
  drawn: boolean;
}

interface PageSummary {
  charts: { id: string; series: DrawnSeries[] }[];
  markers: { at: number; kind: MarkerKind; pid: number }[];
}

declare global {
  interface Window {
    ocpReport?: PageSummary;
  }
}

function formatValue(unit: ChartUnit, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (unit === "bytes") return `${(value / MIB).toFixed(value >= 100 * MIB ? 0 : 1)} MiB`;
  if (unit === "ms") return value >= 1_000 ? `${(value / 1_000).toFixed(1)} s` : `${value.toFixed(value >= 10 ? 0 : 1)} ms`;
  return String(Math.round(value * 100) / 100);
}

/** Vertical lines at each start and end inside the visible range; returns how many it drew. */
function drawMarkers(plot: uPlot, markers: readonly ReportMarker[]): number {
  const { ctx, bbox } = plot;
  const min = plot.scales.x?.min;
  const max = plot.scales.x?.max;
  if (min === undefined || max === undefined) return 0;
  let drawn = 0;
  ctx.save();
  ctx.lineWidth = 2 * uPlot.pxRatio;
  for (const marker of markers) {
    const at = marker.at / 1_000;
    if (at < min || at > max) continue;
    const x = Math.round(plot.valToPos(at, "x", true));
    ctx.strokeStyle = MARKER_COLOURS[marker.kind];
    ctx.setLineDash(marker.kind === "start" ? [6 * uPlot.pxRatio, 4 * uPlot.pxRatio] : []);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    drawn += 1;
  }
  ctx.restore();
  return drawn;
}

function plotWidth(figure: HTMLElement): number {
  return Math.max(figure.clientWidth - 24, 320);
}

function drawChart(data: ReportData, chart: ChartData, figure: HTMLElement, onFirstDraw: (series: DrawnSeries[]) => void): uPlot {
  const points = chart.series.map((series) => series.values.filter((value) => value !== null && Number.isFinite(value)).length);
  const drawnSeries = new Set<number>();
  let reported = false;
  const options: uPlot.Options = {
    width: plotWidth(figure),
    height: PLOT_HEIGHT,
    scales: { x: { time: true }, y: { range: (_plot, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, chart.unit === "count" ? 1 : 0)] } },
    series: [
      {},
      ...chart.series.map((series, index) => ({
        label: series.label,
        stroke: SERIES_COLOURS[index % SERIES_COLOURS.length],
        width: 1.5,
        spanGaps: chart.kind === "gauge",
        value: (_plot: uPlot, value: number | null) => formatValue(chart.unit, value),
      })),
    ],
    axes: [{}, { size: 72, values: (_plot, splits) => splits.map((split) => formatValue(chart.unit, split)) }],
    hooks: {
      drawSeries: [
        (_plot, seriesIndex) => {
          if ((points[seriesIndex - 1] ?? 0) > 0) drawnSeries.add(seriesIndex);
        },
      ],
      draw: [
        (plot) => {
          figure.dataset.markers = String(drawMarkers(plot, data.markers));
          figure.dataset.series = String(chart.series.length);
          figure.dataset.seriesDrawn = String(drawnSeries.size);
          figure.dataset.points = String(data.x.length);
          if (reported) return;
          reported = true;
          onFirstDraw(chart.series.map((series, index) => ({ label: series.label, points: points[index] ?? 0, drawn: drawnSeries.has(index + 1) })));
        },
      ],
    },
  };
  return new uPlot(options, [data.x, ...chart.series.map((series) => series.values)] as uPlot.AlignedData, figure.querySelector<HTMLElement>(".plot") ?? figure);
}

function main(): void {
  const root = document.documentElement;
  try {
    const data = JSON.parse(document.getElementById("report-data")?.textContent ?? "null") as ReportData;
    const summary: PageSummary = { charts: [], markers: data.markers.map(({ at, kind, pid }) => ({ at, kind, pid })) };
    window.ocpReport = summary;
    let waiting = data.charts.length;
    const plots: [uPlot, HTMLElement][] = [];
    for (const chart of data.charts) {
      const figure = document.querySelector<HTMLElement>(`figure[data-chart="${chart.id}"]`);
      if (figure === null) throw new Error(`no figure for the chart ${chart.id}`);
      const plot = drawChart(data, chart, figure, (series) => {
        summary.charts.push({ id: chart.id, series });
        if (--waiting === 0) root.dataset.reportState = "ready";
      });
      plots.push([plot, figure]);
    }
    window.addEventListener("resize", () => {
      for (const [plot, figure] of plots) plot.setSize({ width: plotWidth(figure), height: PLOT_HEIGHT });
    });
  } catch (error) {
    root.dataset.reportState = "error";
    root.dataset.reportError = error instanceof Error ? error.message : String(error);
  }
}

main();
