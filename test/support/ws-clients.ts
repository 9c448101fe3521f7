import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeClientFrame, OPCODE, ServerFrameReader, type Frame } from '../../src/wire/ws-frames.js';
import { upgradeToWebSocket } from '../../src/wire/ws-upgrade.js';
import { dropPacketsOfPort } from './packet-drop.js';

// WebSocket clients written on raw sockets, so that a test decides every byte and every read:
// a library client would answer pings and close handshakes on its own.

export type ClientKind =
  | 'healthy'
  | 'authenticatedFrozen'
  | 'closeFrameThenNoRead'
  | 'preAuthFrozen'
  | 'canvasSilent'
  | 'halfUpgrade'
  | 'frozenFullWindow'
  | 'vanished'
  | 'connectPerPoll';

export interface GatewayTarget {
  port: number;
  token: string;
  /** 127.0.0.1 unless set; only loopback is ever used. */
  host?: string;
}

/** What the client saw from the gateway; frozen clients stop seeing anything once they freeze. */
export interface ClientObservations {
  pingsReceived: number;
  pongsSent: number;
  messagesReceived: number;
  closeFrameReceived: boolean;
  closeCodeReceived: number | undefined;
  /** The gateway sent FIN. */
  finReceived: boolean;
  /** The local socket is gone (reset, destroyed). */
  socketClosed: boolean;
  errorCode: string | undefined;
}

export interface TestClient {
  readonly kind: ClientKind;
  /** The client's ephemeral port: the remote port of the gateway-side socket. */
  readonly localPort: number;
  /** performance.now() when the client finished setting up and started its (mis)behaviour. */
  readonly behavingSince: number;
  readonly observations: ClientObservations;
  destroy(): void;
}

export interface HealthyClient extends TestClient {
  /** Still on a live, open WebSocket from the client's point of view. */
  isConnected(): boolean;
  /** Closes as a well-mannered client does (close frame 1000, then FIN) and reports what it saw. */
  closeNormally(): Promise<NormalClose>;
}

/** A normal close seen from the client: the gateway's reply code and an orderly end of stream, not a reset. */
export interface NormalClose {
  code: number | undefined;
  orderlyEnd: boolean;
  errorCode: string | undefined;
}

const NORMAL_CLOSE_TIMEOUT_MS = 10_000;

const SETUP_TIMEOUT_MS = 15_000;
const CANVAS_PATH = '/__openclaw__/ws';
const MAX_UNHEARD_MESSAGES = 100;
/** 2026.3.x speaks gateway protocol 3 and 2026.9.x protocol 4; each accepts a range that holds its own. */
const OLDEST_PROTOCOL = 3;
const NEWEST_PROTOCOL = 4;

/**
 * Requests a frozen peer sends before it stops reading: their answers (about 700 bytes each) fill
 * its receive window and then the gateway's send queue, which is what keeps a graceful close's
 * orphan alive forever (the FIN waits behind data the peer will never take).
 */
const FLOOD_REQUESTS = 3_000;
/** Time for the gateway to answer the flood before the client counts as frozen. */
const FLOOD_SETTLE_MS = 1_500;

function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return payload;
}

function newObservations(): ClientObservations {
  return {
    pingsReceived: 0,
    pongsSent: 0,
    messagesReceived: 0,
    closeFrameReceived: false,
    closeCodeReceived: undefined,
    finReceived: false,
    socketClosed: false,
    errorCode: undefined,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * allowHalfOpen: a misbehaving client must not answer the gateway's FIN with its own just because
 * Node does so by default.
 */
function openSocket(target: GatewayTarget, observations: ClientObservations): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host ?? '127.0.0.1', port: target.port, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      observations.errorCode ??= error.code ?? error.message;
    });
    socket.on('end', () => {
      observations.finReceived = true;
    });
    socket.on('close', () => {
      observations.socketClosed = true;
    });
  });
}

type FrameMode = 'answer' | 'ignore';

/**
 * Reads frames off an upgraded socket. In 'answer' mode it behaves like a well-mannered client
 * (pong every ping, complete the close handshake); in 'ignore' mode it only counts what arrives.
 */
class FrameSession {
  mode: FrameMode = 'answer';
  /** Keeps every payload, however large: a test may read any message the gateway sends. */
  private readonly reader = new ServerFrameReader(Number.POSITIVE_INFINITY);
  private fragments: Buffer[] = [];
  private readonly messageListeners = new Set<(text: string) => void>();
  /** Messages that arrived before anyone listened: the challenge often shares a packet with the 101 response. */
  private unheard: string[] = [];
  private closeSent = false;

  constructor(
    readonly socket: Socket,
    readonly observations: ClientObservations,
    leftover: Buffer,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      if (this.mode === 'answer') socket.end();
    });
    if (leftover.length > 0) this.onData(leftover);
  }

  onMessage(listener: (text: string) => void): () => void {
    this.messageListeners.add(listener);
    const backlog = this.unheard;
    this.unheard = [];
    for (const text of backlog) if (this.messageListeners.has(listener)) listener(text);
    return () => this.messageListeners.delete(listener);
  }

  send(opcode: number, payload?: Buffer): void {
    if (opcode === OPCODE.close) this.closeSent = true;
    if (!this.socket.destroyed) this.socket.write(encodeClientFrame(opcode, payload));
  }

  sendJson(value: unknown): void {
    this.send(OPCODE.text, Buffer.from(JSON.stringify(value)));
  }

  /** Stops reading for good: the kernel buffers fill and then the peer's window closes. */
  freeze(): void {
    this.mode = 'ignore';
    this.socket.pause();
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.reader.push(chunk)) this.onFrame(frame);
  }

  private onFrame(frame: Frame): void {
    switch (frame.opcode) {
      case OPCODE.ping:
        this.observations.pingsReceived++;
        if (this.mode === 'answer') {
          this.send(OPCODE.pong, frame.payload);
          this.observations.pongsSent++;
        }
        return;
      case OPCODE.close:
        this.observations.closeFrameReceived = true;
        this.observations.closeCodeReceived = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined;
        if (this.mode === 'answer') {
          if (!this.closeSent) this.send(OPCODE.close, frame.payload.subarray(0, 2));
          this.socket.end();
        }
        return;
      case OPCODE.text:
      case OPCODE.binary:
      case OPCODE.continuation:
        this.fragments.push(frame.payload);
        if (!frame.fin) return;
        this.observations.messagesReceived++;
        {
          const text = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          if (this.messageListeners.size === 0 && this.unheard.length < MAX_UNHEARD_MESSAGES) this.unheard.push(text);
          for (const listener of [...this.messageListeners]) listener(text);
        }
        return;
      default:
        return;
    }
  }
}

function connectRequest(token: string): unknown {
  return {
    type: 'req',
    id: 'c1',
    method: 'connect',
    params: {
      minProtocol: OLDEST_PROTOCOL,
      maxProtocol: NEWEST_PROTOCOL,
      client: { id: 'test', version: '1.0.0', platform: 'linux', mode: 'test' },
      role: 'operator',
      scopes: [],
      auth: { token },
    },
  };
}

/** Answers the connect.challenge and waits for the hello-ok response. */
function authenticate(session: FrameSession, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined;
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      if (error) reject(error);
      else resolve();
    };
    unsubscribe = session.onMessage((text) => {
      let message: { type?: string; event?: string; id?: string; ok?: boolean; error?: unknown };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        return;
      }
      if (settled) return;
      if (message.type === 'event' && message.event === 'connect.challenge') {
        session.sendJson(connectRequest(token));
      } else if (message.type === 'res' && message.id === 'c1') {
        settle(message.ok === true ? undefined : new Error(`connect refused: ${JSON.stringify(message.error)}`));
      }
    });
    session.socket.once('close', () => settle(new Error('connection closed before hello-ok')));
  });
}

async function openSession(
  target: GatewayTarget,
  observations: ClientObservations,
  path: string,
  extraHeaders: Record<string, string> = {},
): Promise<FrameSession> {
  const socket = await openSocket(target, observations);
  try {
    const leftover = await upgradeToWebSocket(socket, { host: '127.0.0.1', port: target.port, path, headers: extraHeaders });
    return new FrameSession(socket, observations, leftover);
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

async function openAuthenticatedSession(target: GatewayTarget, observations: ClientObservations): Promise<FrameSession> {
  const session = await openSession(target, observations, '/');
  try {
    await authenticate(session, target.token);
    return session;
  } catch (error) {
    session.socket.destroy();
    throw error;
  }
}

function testClient(kind: ClientKind, socket: Socket, observations: ClientObservations): TestClient {
  const localPort = socket.localPort;
  if (localPort === undefined) throw new Error(`${kind}: socket has no local port`);
  return { kind, localPort, behavingSince: performance.now(), observations, destroy: () => socket.destroy() };
}

function setup<T>(kind: ClientKind, work: Promise<T>): Promise<T> {
  return withTimeout(work, SETUP_TIMEOUT_MS, `${kind} client setup`);
}

/** Authenticates, answers every ping with a pong, reads everything, completes close handshakes. */
export async function healthy(target: GatewayTarget): Promise<HealthyClient> {
  const observations = newObservations();
  const session = await setup('healthy', openAuthenticatedSession(target, observations));
  return {
    ...testClient('healthy', session.socket, observations),
    isConnected: () =>
      !observations.socketClosed && !observations.finReceived && !observations.closeFrameReceived && !session.socket.destroyed,
    closeNormally: () => closeNormally(session),
  };
}

async function closeNormally(session: FrameSession): Promise<NormalClose> {
  const closed = new Promise<void>((resolve) => {
    if (session.socket.destroyed) resolve();
    else session.socket.once('close', () => resolve());
  });
  session.send(OPCODE.close, closePayload(1000));
  await withTimeout(closed, NORMAL_CLOSE_TIMEOUT_MS, 'the close handshake').catch(() => undefined);
  const { observations } = session;
  return { code: observations.closeCodeReceived, orderlyEnd: observations.finReceived, errorCode: observations.errorCode };
}

/** Authenticates, then never reads again and never answers a ping: a frozen peer whose kernel still ACKs. */
export async function authenticatedFrozen(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup('authenticatedFrozen', openAuthenticatedSession(target, observations));
  session.freeze();
  return testClient('authenticatedFrozen', session.socket, observations);
}

/** Sends a close frame (after authenticating unless told not to), then never reads and never closes TCP. */
export async function closeFrameThenNoRead(target: GatewayTarget, options: { authenticate?: boolean } = {}): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup(
    'closeFrameThenNoRead',
    options.authenticate === false ? openSession(target, observations, '/') : openAuthenticatedSession(target, observations),
  );
  session.send(OPCODE.close, closePayload(1000));
  session.freeze();
  return testClient('closeFrameThenNoRead', session.socket, observations);
}

/** Completes the upgrade, never sends the connect request, never reads. */
export async function preAuthFrozen(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup('preAuthFrozen', openSession(target, observations, '/'));
  session.freeze();
  return testClient('preAuthFrozen', session.socket, observations);
}

/** Upgrades to the canvas live-reload socket, then sends nothing: no pongs, no close, no FIN. Still reads, to count pings. */
export async function canvasSilent(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup(
    'canvasSilent',
    openSession(target, observations, CANVAS_PATH, { Authorization: `Bearer ${target.token}` }),
  );
  session.mode = 'ignore';
  return testClient('canvasSilent', session.socket, observations);
}

/** Sends the first half of an upgrade request and then nothing; reads only to notice the gateway giving up. */
export async function halfUpgrade(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const socket = await setup('halfUpgrade', openSocket(target, observations));
  socket.on('data', () => undefined);
  socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nUpgrade: websocket\r\nConnection: Upg`);
  return testClient('halfUpgrade', socket, observations);
}

/**
 * Authenticates, stops reading, then asks for far more than its receive window holds: the
 * gateway's answers fill the window and queue up behind it. A frozen peer the gateway has been
 * sending to, the case a graceful close never finishes.
 */
export async function frozenFullWindow(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup('frozenFullWindow', openAuthenticatedSession(target, observations));
  session.freeze();
  for (let i = 0; i < FLOOD_REQUESTS; i++) session.sendJson({ type: 'req', id: `h${i}`, method: 'health', params: {} });
  await sleep(FLOOD_SETTLE_MS);
  return testClient('frozenFullWindow', session.socket, observations);
}

/**
 * Authenticates, then vanishes: every packet to and from it is dropped (no FIN, no RST, no ACK),
 * as when a laptop loses its network. Needs nftables (see packet-drop.ts).
 */
export async function vanished(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup('vanished', openAuthenticatedSession(target, observations));
  session.freeze();
  const client = testClient('vanished', session.socket, observations);
  const restore = dropPacketsOfPort(client.localPort);
  return {
    ...client,
    destroy: () => {
      restore();
      session.socket.destroy();
    },
  };
}

/** Sends one request and waits for its response, whatever it says. */
function requestOnce(session: FrameSession, method: string, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const unsubscribe = session.onMessage((text) => {
      if (!text.includes(`"id":${JSON.stringify(id)}`)) return;
      unsubscribe();
      resolve();
    });
    session.socket.once('close', () => reject(new Error(`connection closed before the ${method} response`)));
    session.sendJson({ type: 'req', id, method, params: {} });
  });
}

/**
 * A well-behaved but short-lived client: authenticates, asks for `health`, reads the answer and
 * closes normally, the whole visit well under a second. It stands for the integrations that poll by
 * opening a connection per check (monitoring probes, home-automation and cron scripts, a client
 * retrying in a loop). Harmless alone, but each visit costs every other connected peer two
 * broadcasts: the connect refreshes health (about 800 bytes to every client) and the disconnect
 * sends the whole presence list, one entry per visitor of the last five minutes up to 200 (about
 * 160 bytes each on 2026.3.24, so some 32 KB at the cap), since a client without an instanceId is
 * keyed by its connection. A peer that stopped reading keeps every such broadcast queued.
 */
export async function connectPerPoll(target: GatewayTarget): Promise<TestClient> {
  const observations = newObservations();
  const session = await setup('connectPerPoll', openAuthenticatedSession(target, observations));
  const client = testClient('connectPerPoll', session.socket, observations);
  try {
    await setup('connectPerPoll', requestOnce(session, 'health', 'poll'));
    await closeNormally(session);
  } finally {
    session.socket.destroy();
  }
  return client;
}
