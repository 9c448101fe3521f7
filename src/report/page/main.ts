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
/** Grid steps of the memory axis, so its labels read 100 MiB, 200 MiB rather than 95.4 MiB. */
const MIB_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000].map((step) => step * MIB);

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

/**
 * Epoch-second spans in which no gateway process ran: from an end to the next start. A gauge's line
 * breaks there and joins every other bucket without a sample (summaries come once a minute, buckets
 * may be a second).
 */
function downSpans(markers: readonly ReportMarker[]): [number, number][] {
  const starts = markers.filter((marker) => marker.kind === "start").length;
  let alive = Math.max(markers.length - 2 * starts, 0);
  let downSince: number | undefined;
  const spans: [number, number][] = [];
  for (const marker of markers) {
    alive += marker.kind === "start" ? 1 : -1;
    if (alive <= 0 && downSince === undefined) downSince = marker.at / 1_000;
    if (alive > 0 && downSince !== undefined) {
      spans.push([downSince, marker.at / 1_000]);
      downSince = undefined;
    }
    alive = Math.max(alive, 0);
  }
  return spans;
}

/**
 * Consecutive samples are joined unless no gateway ran somewhere between them. uPlot breaks a line
 * at null and joins across undefined; its breaks clip the joining segment, so every bucket between
 * the two samples must be null, not just the down span's.
 */
function gaugeValues(x: readonly number[], values: readonly (number | null)[], down: readonly [number, number][]): (number | null | undefined)[] {
  const column: (number | null | undefined)[] = values.map((value) => (value === null ? undefined : value));
  let previous = -1;
  values.forEach((value, index) => {
    if (value === null) return;
    if (previous >= 0 && down.some(([from, to]) => from >= x[previous]! && to <= x[index]!)) column.fill(null, previous + 1, index);
    previous = index;
  });
  return column;
}

function plotWidth(figure: HTMLElement): number {
  return Math.max(figure.clientWidth - 24, 320);
}

function drawChart(data: ReportData, chart: ChartData, figure: HTMLElement, onFirstDraw: (series: DrawnSeries[]) => void): uPlot {
  const points = chart.series.map((series) => series.values.filter((value) => value !== null && Number.isFinite(value)).length);
  const drawnSeries = new Set<number>();
  const markerSeconds = data.markers.map((marker) => marker.at / 1_000);
  const down = downSpans(data.markers);
  let reported = false;
  const options: uPlot.Options = {
    width: plotWidth(figure),
    height: PLOT_HEIGHT,
    // Wide enough for every marker: an end inside the last bucket lies after that bucket's start.
    scales: { x: { time: true, range: (_plot, min, max) => [Math.min(min ?? Infinity, ...markerSeconds), Math.max(max ?? -Infinity, ...markerSeconds)] }, y: { range: (_plot, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, chart.unit === "count" ? 1 : 0)] } },
    series: [
      {},
      ...chart.series.map((series, index) => ({
        label: series.label,
        stroke: SERIES_COLOURS[index % SERIES_COLOURS.length],
        width: 1.5,
        // A process that sampled once has no segment to draw; its dot still shows.
        points: { show: chart.kind === "gauge", size: 3 },
        value: (_plot: uPlot, value: number | null) => formatValue(chart.unit, value),
      })),
    ],
    axes: [{}, { size: 72, ...(chart.unit === "bytes" ? { incrs: MIB_STEPS } : {}), values: (_plot, splits) => splits.map((split) => formatValue(chart.unit, split)) }],
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
  const columns = chart.series.map((series) => (chart.kind === "gauge" ? gaugeValues(data.x, series.values, down) : series.values));
  return new uPlot(options, [data.x, ...columns] as uPlot.AlignedData, figure.querySelector<HTMLElement>(".plot") ?? figure);
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
        if (--waiting > 0) return;
        // Milliseconds from the start of navigation until every chart had drawn, for npm run bench.
        root.dataset.reportReadyMs = String(Math.round(performance.now()));
        root.dataset.reportState = "ready";
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
