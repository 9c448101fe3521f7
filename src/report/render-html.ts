import { formatDateTime, formatDuration } from "../trace/format.js";
import type { PageAssets } from "./page-assets.js";
import type { ChartData, MarkerKind, ReportData } from "./report-data.js";

/** Nothing may leave the page: no fetch, no image, no font, no frame; only the inline script and style run. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const MARKER_LEGEND: [MarkerKind, string][] = [
  ["start", "gateway started"],
  ["exit", "exited in order"],
  ["uncaught", "uncaught exception"],
  ["unrecorded", "ended without a record (killed, out of memory, native crash)"],
  ["replaced", "replaced, end unknown"],
];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** JSON inside a script element: `<` escaped, so no string in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}

/** The text times are the writer's local time; a colleague elsewhere needs its offset. */
function utcOffset(at: number): string {
  const minutes = -new Date(at).getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const whole = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

function headerHtml(data: ReportData): string {
  const { header } = data;
  const rows: [string, string][] = [
    ["install", header.install],
    ["OpenClaw", header.releases.join(", ") || "?"],
    ["traced by", header.runtimeVersions.map((version) => `openclaw-patch ${version}`).join(", ") || "?"],
    ["period", `${formatDateTime(header.from)} → ${formatDateTime(header.to)} ${utcOffset(header.from)} (${formatDuration(header.to - header.from)}); the charts show the reader's local time`],
    ["trace files", header.traceFiles.join(", ")],
    ["report", `openclaw-patch ${header.reportVersion}, ${formatDateTime(header.generatedAt)}`],
  ];
  const settings = header.settings.map(([name, value]) => `<li><span>${escapeHtml(name)}</span> ${escapeHtml(value)}</li>`).join("");
  return [
    `<header><h1>OpenClaw gateway: ${escapeHtml(header.install)}</h1><dl>`,
    ...rows.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`),
    `<dt>settings in force</dt><dd>${settings === "" ? "not recorded in this trace" : `<ul class="settings">${settings}</ul>`}</dd>`,
    "</dl></header>",
  ].join("");
}

function chartHtml(chart: ChartData): string {
  const note = chart.note === undefined ? "" : `<p class="note">${escapeHtml(chart.note)}</p>`;
  return `<figure class="chart" data-chart="${chart.id}"><figcaption>${escapeHtml(chart.title)}</figcaption><div class="plot"></div>${note}</figure>`;
}

/**
 * The report as one HTML file that opens offline: the data, the page's script with the charting
 * library and its style all inline. `tables` is the text report, shown below the charts.
 */
export function renderReportHtml(data: ReportData, tables: readonly string[], assets: PageAssets): string {
  const legend = MARKER_LEGEND.map(([kind, text]) => `<li class="marker-${kind}">${escapeHtml(text)}</li>`).join("");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>openclaw-patch report: ${escapeHtml(data.header.install)}</title>`,
    `<style>${assets.style}</style></head><body>`,
    headerHtml(data),
    `<main id="ocp-report"><ul class="markers">${legend}</ul>`,
    ...data.charts.map(chartHtml),
    `<section id="tables"><h2>Trace report</h2><pre>${escapeHtml(tables.join("\n"))}</pre></section></main>`,
    `<script type="application/json" id="report-data">${scriptJson(data)}</script>`,
    `<script>${inlineScript(assets.script)}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}
