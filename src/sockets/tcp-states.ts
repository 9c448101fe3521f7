import type { TcpState } from "./types.js";

export const TCP_STATES: readonly TcpState[] = [
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT_1",
  "FIN_WAIT_2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
  "UNKNOWN",
];

export type StateCounts = Record<TcpState, number>;

/** Every state present with 0, so callers and tests can read any state without a missing-key case. */
export function emptyStateCounts(): StateCounts {
  const counts = {} as StateCounts;
  for (const state of TCP_STATES) counts[state] = 0;
  return counts;
}

/**
 * The words macOS (BSD tcpstates[]) and Windows netstat print. The two spell a few states differently
 * (LISTENING, SYN_RCVD, SYN_RECEIVED, CLOSED), so both spellings map to the one shared state.
 */
const NETSTAT_STATE_WORDS: Readonly<Record<string, TcpState>> = {
  ESTABLISHED: "ESTABLISHED",
  SYN_SENT: "SYN_SENT",
  SYN_RCVD: "SYN_RECV",
  SYN_RECEIVED: "SYN_RECV",
  SYN_RECV: "SYN_RECV",
  FIN_WAIT_1: "FIN_WAIT_1",
  FIN_WAIT_2: "FIN_WAIT_2",
  TIME_WAIT: "TIME_WAIT",
  CLOSED: "CLOSE",
  CLOSE: "CLOSE",
  CLOSE_WAIT: "CLOSE_WAIT",
  LAST_ACK: "LAST_ACK",
  LISTEN: "LISTEN",
  LISTENING: "LISTEN",
  CLOSING: "CLOSING",
};

/** Unknown words (a localized Windows, a future state) become UNKNOWN rather than a guess. */
export function stateFromNetstatWord(word: string): TcpState {
  return NETSTAT_STATE_WORDS[word.toUpperCase()] ?? "UNKNOWN";
}
