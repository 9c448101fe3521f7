import { performance } from "node:perf_hooks";
import { diagnostic, type Diagnostic } from "../core/diagnostics.js";
import { describeEnd, type SocketEndView } from "../sockets/socket-end.js";
import { passToleranceMs, watchMarginMs, type ProbeBound, type ProbeKind } from "./bounds.js";
import { kernelTableReader, pollIntervalFor, ServerSideWatch, type TableReader } from "./server-side-watch.js";
import { openSilentConnection, ProbeSetupError, type SilentConnection } from "./silent-connection.js";

export interface LiveCheckInput {
  host: string;
  port: number;
  /** With a token an authenticated probe runs beside the pre-auth one. */
  token?: string;
  bounds: Record<ProbeKind, ProbeBound>;
  platform: NodeJS.Platform;
  toolVersion: string;
  /** Tests inject a table; by default the kernel's is read. */
  readTable?: TableReader;
  setupTimeoutMs?: number;
}

export type DropSignal = "fin" | "reset" | "closed" | "table";

export interface LiveProbeResult {
  kind: ProbeKind;
  passed: boolean;
  boundMs: number;
  toleranceMs: number;
  basis: string;
  /** How long the probe stayed silent and watched before giving up (bound + margin). */
  watchLimitMs: number;
  /** From going silent to the first sign the gateway let go; null when it never did within the watch. */
  droppedAfterMs: number | null;
  droppedBy: DropSignal | null;
  pings: number;
  firstPingAfterMs: number | null;
  closeFrameAfterMs: number | null;
  closeCode: number | null;
  /** The gateway's end in the last table read; null when the table was not readable. */
  gatewaySideAtEnd: { state: string; pid: number | null } | null;
  /**
   * What the kernel's table showed of the gateway's end; null when the table was not readable or never
   * listed it, and then the probe is judged by what it saw itself (FIN, reset, close).
   */
  kernel: KernelTrail | null;
  /** Set when the probe never got as far as going silent. */
  setupError?: { stage: string; message: string; code: string | null };
}

/** The gateway's end of one probe in the kernel's table, times from going silent. */
export interface KernelTrail {
  /** A read found it held by a process (the gateway; pid when an owner-resolving read saw it). */
  heldByGateway: boolean;
  pid: number | null;
  /** The first read that found it with no owner: the process had let go, the kernel had not. */
  orphanedAfterMs: number | null;
  /** The first read that found no row (or TIME_WAIT); null when it was still there at the deadline. */
  goneAfterMs: number | null;
  /** The last row seen before it went, or at the deadline: state, holder, queued bytes. */
  lastSeen: SocketEndView | null;
}

export interface LiveCheckResult {
  ok: boolean;
  host: string;
  port: number;
  probes: LiveProbeResult[];
  table: { source: string; readable: boolean };
  diagnostics: Diagnostic[];
}

const DEFAULT_SETUP_TIMEOUT_MS = 15_000;

/** Measures how long the running gateway keeps silent peers. Never throws for gateway behaviour. */
export async function runLiveCheck(input: LiveCheckInput): Promise<LiveCheckResult> {
  const kinds: ProbeKind[] = input.token === undefined ? ["pre-auth"] : ["pre-auth", "authenticated"];
  const setupTimeoutMs = input.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS;
  const diagnostics: Diagnostic[] = [];
  const opened = await Promise.all(
    kinds.map((kind) =>
      openSilentConnection({
        host: input.host,
        port: input.port,
        ...(kind === "authenticated" && input.token !== undefined ? { token: input.token } : {}),
        toolVersion: input.toolVersion,
        setupTimeoutMs,
      }).then(
        (connection) => ({ kind, connection }),
        (error: unknown) => ({ kind, error }),
      ),
    ),
  );

  const wakers = new Map<number, () => void>();
  const watch = new ServerSideWatch(input.port, input.readTable ?? kernelTableReader(input.platform), pollIntervalFor(input.platform), (clientPort) => wakers.get(clientPort)?.());
  for (const probe of opened) if ("connection" in probe) watch.track(probe.connection.localPort);
  watch.start();

  const measured = await Promise.all(
    opened.map(async (probe) => {
      const bound = input.bounds[probe.kind];
      if (!("connection" in probe)) return { probe: setupFailure(bound, probe.error, input, diagnostics) };
      const limit = bound.boundMs + watchMarginMs(bound.boundMs);
      await waitForRelease(probe.connection, limit, wakers, watch);
      return { probe: undefined, connection: probe.connection, bound, limit };
    }),
  );
  await watch.stop();

  const probes: LiveProbeResult[] = measured.map((m) => {
    if (m.probe) return m.probe;
    const { connection, bound, limit } = m as { connection: SilentConnection; bound: ProbeBound; limit: number };
    const result = measuredProbe(connection, bound, limit, watch, diagnostics);
    connection.destroy();
    return result;
  });
  if (!watch.readable) diagnostics.push(...watch.diagnostics);
  return {
    ok: probes.every((p) => p.passed),
    host: input.host,
    port: input.port,
    probes,
    table: { source: watch.source, readable: watch.readable },
    diagnostics,
  };
}

/**
 * The probe hears a FIN long before a graceful close is over: once the table has listed the
 * gateway's end, only its leaving the table (or the limit) ends the wait.
 */
function waitForRelease(connection: SilentConnection, limitMs: number, wakers: Map<number, () => void>, watch: ServerSideWatch): Promise<void> {
  return new Promise((resolve) => {
    const remaining = Math.max(0, connection.silentSince + limitMs - performance.now());
    const timer = setTimeout(finish, remaining);
    wakers.set(connection.localPort, finish);
    void connection.released.then(() => {
      if (!watch.judges(connection.localPort)) finish();
    });
    function finish(): void {
      clearTimeout(timer);
      wakers.delete(connection.localPort);
      resolve();
    }
  });
}

function measuredProbe(connection: SilentConnection, bound: ProbeBound, limit: number, watch: ServerSideWatch, diagnostics: Diagnostic[]): LiveProbeResult {
  const { observations: seen, silentSince } = connection;
  const view = watch.view(connection.localPort);
  const signals: [DropSignal, number | undefined][] = [
    ["fin", seen.finAt],
    [seen.errorCode === "ECONNRESET" ? "reset" : "closed", seen.closedAt],
    ["table", view.goneAt],
  ];
  let droppedBy: DropSignal | null = null;
  let droppedAt: number | undefined;
  for (const [signal, at] of signals) {
    if (at !== undefined && at <= silentSince + limit && (droppedAt === undefined || at < droppedAt)) {
      droppedAt = at;
      droppedBy = signal;
    }
  }
  const since = (at: number | undefined): number | null => (at === undefined ? null : Math.max(0, Math.round(at - silentSince)));
  const droppedAfterMs = since(droppedAt);
  const toleranceMs = passToleranceMs(bound.boundMs);
  const kernel: KernelTrail | null = watch.judges(connection.localPort)
    ? {
        heldByGateway: view.heldAt !== undefined,
        pid: view.heldBy ?? null,
        orphanedAfterMs: since(view.orphanAt),
        goneAfterMs: view.goneAt !== undefined && view.goneAt <= silentSince + limit ? since(view.goneAt) : null,
        lastSeen: view.lastRow ?? null,
      }
    : null;
  // Where the table shows the gateway's end, "dropped" means gone from it: an orphan still costs the machine.
  const goneAfterMs = kernel ? kernel.goneAfterMs : droppedAfterMs;
  const passed = goneAfterMs !== null && goneAfterMs <= bound.boundMs + toleranceMs;
  if (kernel && kernel.goneAfterMs === null && kernel.orphanedAfterMs !== null && kernel.lastSeen?.holder === "orphan") {
    diagnostics.push(orphanDiagnostic(bound, kernel, limit));
  }
  return {
    kind: bound.kind,
    passed,
    boundMs: bound.boundMs,
    toleranceMs,
    basis: bound.basis,
    watchLimitMs: limit,
    droppedAfterMs,
    droppedBy,
    pings: seen.pings,
    firstPingAfterMs: since(seen.firstPingAt),
    closeFrameAfterMs: since(seen.closeFrameAt),
    closeCode: seen.closeCode ?? null,
    gatewaySideAtEnd: watch.readable ? { state: view.state ?? "unknown", pid: view.pid ?? null } : null,
    kernel,
  };
}

/** The gateway did its part, so restarting it will not help: what is missing is the reset. */
function orphanDiagnostic(bound: ProbeBound, kernel: KernelTrail, limit: number): Diagnostic {
  const lastSeen = kernel.lastSeen!;
  return diagnostic(
    "OCP_LIVE_KERNEL_ORPHAN",
    `The gateway let go of its end of the ${bound.kind} probe after ${kernel.orphanedAfterMs} ms, but the kernel still holds it ${limit} ms after the probe went silent: ${describeEnd(lastSeen)}. A graceful close leaves such sockets for a minute, or for as long as a peer that does not read stays up.`,
    "Patch with abortive close on, so sockets the fixes give up on are reset: `openclaw-patch apply --abortive-close on` (and no OPENCLAW_PATCH_ABORTIVE_CLOSE=off in the gateway's environment), then restart the gateway; if this openclaw-patch has no --abortive-close, upgrade it first.",
    { probe: bound.kind, orphanedAfterMs: kernel.orphanedAfterMs, state: lastSeen.state, sendQueue: lastSeen.sendQueue },
  );
}

function setupFailure(bound: ProbeBound, error: unknown, input: LiveCheckInput, diagnostics: Diagnostic[]): LiveProbeResult {
  const setup = error instanceof ProbeSetupError ? { stage: error.stage, message: error.message, code: error.code ?? null } : { stage: "connect", message: String(error), code: null };
  const where = `${input.host}:${input.port}`;
  if (setup.code === "ECONNREFUSED") {
    if (!diagnostics.some((d) => d.code === "OCP_LIVE_NO_GATEWAY")) {
      diagnostics.push(diagnostic("OCP_LIVE_NO_GATEWAY", `Nothing accepts connections on ${where}.`, "Start the gateway, or pass --port with the port it listens on (see `openclaw-patch status`).", { host: input.host, port: input.port }));
    }
  } else if (setup.stage === "authenticate") {
    diagnostics.push(diagnostic("OCP_LIVE_AUTH_FAILED", `The ${bound.kind} probe could not authenticate: ${setup.message}`, "Pass the gateway's token with --token (gateway.auth.token in openclaw.json), or leave --token out to probe before authentication only.", { host: input.host, port: input.port }));
  } else {
    diagnostics.push(diagnostic("OCP_LIVE_PROBE_FAILED", `The ${bound.kind} probe could not reach a WebSocket on ${where} (${setup.stage}): ${setup.message}`, "Check that the port is the OpenClaw gateway's (`openclaw-patch status` shows it).", { stage: setup.stage }));
  }
  return {
    kind: bound.kind,
    passed: false,
    boundMs: bound.boundMs,
    toleranceMs: passToleranceMs(bound.boundMs),
    basis: bound.basis,
    watchLimitMs: 0,
    droppedAfterMs: null,
    droppedBy: null,
    pings: 0,
    firstPingAfterMs: null,
    closeFrameAfterMs: null,
    closeCode: null,
    gatewaySideAtEnd: null,
    kernel: null,
    setupError: setup,
  };
}
