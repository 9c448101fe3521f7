/**
 * What `openclaw-patch report` embeds in the HTML page, read by the page's own script
 * (src/report/page/). Types only: the page is bundled for the browser and imports nothing of Node.
 */

export type ChartId = "sockets" | "reclaimed" | "memory" | "loop-delay" | "stalls";

/** How a chart's values read: a count, bytes, or milliseconds. */
export type ChartUnit = "count" | "bytes" | "ms";

export interface ChartSeries {
  label: string;
  /** One value per bucket of `ReportData.x`; null where the trace holds no sample for it. */
  values: (number | null)[];
}

export interface ChartData {
  id: ChartId;
  title: string;
  unit: ChartUnit;
  /** A sampled figure (gaps are joined) or events counted per bucket (zero where none). */
  kind: "gauge" | "count";
  series: ChartSeries[];
  /** Why a series may be empty, shown under the chart; e.g. a runtime that predates health samples. */
  note?: string;
}

/** A gateway process's start or end, drawn on every chart. `running` ends are not drawn. */
export type MarkerKind = "start" | "exit" | "uncaught" | "unrecorded" | "replaced";

export interface ReportMarker {
  /** Epoch ms. */
  at: number;
  kind: MarkerKind;
  pid: number;
  label: string;
}

export interface ReportHeader {
  install: string;
  releases: string[];
  /** The runtime versions that wrote the trace. */
  runtimeVersions: string[];
  /** The openclaw-patch that wrote this report. */
  reportVersion: string;
  /** The settings of the last gateway start in the period, as name and value. */
  settings: [string, string][];
  traceFiles: string[];
  from: number;
  to: number;
  generatedAt: number;
}

export interface ReportData {
  header: ReportHeader;
  /** Width of one bucket: the trace is downsampled to at most a few hundred points on the way in. */
  bucketMs: number;
  /** Bucket starts, in epoch seconds (the charting library's time unit). */
  x: number[];
  charts: ChartData[];
  markers: ReportMarker[];
}
