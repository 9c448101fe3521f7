/**
 * Process-wide state. Some releases load two copies of the patched chunk (and so call `attach`
 * twice, possibly from two copies of this file); keeping the registries on a global symbol makes
 * every copy see the same guarded servers and sockets, so nothing is guarded twice.
 *
 * This file imports nothing, so that every part of the runtime may read the state without a loop.
 * A field holding a feature's own objects is declared by that feature, beside the code that fills
 * it (`declare module "…/shared-state.js"`): `servers` in server-guard.ts, `liveSockets` in
 * guarded-socket.ts, `stallDetector` in stall-detector.ts, `traceSinks` in tracing/events.ts and
 * `tracer` in tracing/tracer.ts. `createState` still creates every field: another copy of the
 * same schema reads them all.
 */
export interface RuntimeState {
  readonly schema: typeof STATE_SCHEMA;
  /** Where each guarded socket keeps its guard (see `guarded-socket.ts`); the schema is in its name. */
  readonly guardKey: symbol;
  /** Servers whose shutdown bound is armed, including servers that were never guarded. */
  readonly shutdownArmed: WeakSet<object>;
  readonly tunedHttpServers: WeakSet<object>;
  /** HTTP servers whose new connections get a deadline for their first request head. */
  readonly deadlineServers: WeakSet<object>;
  /** Connections still waiting for their first request head, with the monotonic time they are due. */
  readonly firstRequestDeadlines: Map<object, number>;
  /** The one interval enforcing those deadlines; runs only while some are pending. */
  firstRequestSweep: NodeJS.Timeout | undefined;
  /** Whether a connection past its deadline is reset (abortive close) rather than closed gracefully; absent in a state an older runtime created. */
  resetExpiredRequests: boolean;
  /** Prototypes whose methods route through the runtime, and which of their methods do. */
  readonly routedMethods: WeakMap<object, Set<string>>;
  readonly warnedKeys: Set<string>;
  nextConnectionId: number;
}

const RUNTIME_STATE_KEY = Symbol.for("openclaw-patch.runtime");
/** Bumped when the shape above changes incompatibly, so an older copy's state is never misread. */
const STATE_SCHEMA = 4;

let privateState: RuntimeState | undefined;
/** Resolved once: every connection reads the state several times, and the global lookup is not free. */
let resolvedState: RuntimeState | undefined;

function createState(): RuntimeState {
  return {
    schema: STATE_SCHEMA,
    guardKey: Symbol.for(`openclaw-patch.guarded-socket.v${STATE_SCHEMA}`),
    servers: new WeakMap(),
    shutdownArmed: new WeakSet(),
    tunedHttpServers: new WeakSet(),
    deadlineServers: new WeakSet(),
    firstRequestDeadlines: new Map(),
    firstRequestSweep: undefined,
    resetExpiredRequests: true,
    routedMethods: new WeakMap(),
    traceSinks: new Set(),
    warnedKeys: new Set(),
    liveSockets: new Set(),
    stallDetector: undefined,
    tracer: undefined,
    nextConnectionId: 0,
  };
}

export function sharedState(): RuntimeState {
  return (resolvedState ??= resolveState());
}

/**
 * Whatever state the process's global holds, of any runtime generation, or undefined before the
 * first attach. Tests and the gateway bench read it from outside the runtime through this.
 */
export function runtimeStateOnGlobal(): Partial<RuntimeState> | undefined {
  return (globalThis as Record<symbol, unknown>)[RUNTIME_STATE_KEY] as Partial<RuntimeState> | undefined;
}

function resolveState(): RuntimeState {
  const existing = runtimeStateOnGlobal();
  if (existing === undefined) {
    const created = createState();
    Object.defineProperty(globalThis, RUNTIME_STATE_KEY, { value: created, writable: false, configurable: true, enumerable: false });
    return created;
  }
  if (existing.schema === STATE_SCHEMA) return existing as RuntimeState;
  // A different runtime generation owns the global; sharing its registries could corrupt both.
  privateState ??= createState();
  return privateState;
}
