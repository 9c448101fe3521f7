import type { NodePath, Visitor } from "@babel/traverse";
import type * as t from "@babel/types";
import type { ReleaseVersion } from "./release.js";

/** The places in the gateway's code that the patches need, found by syntax, never by file name. */
export type SiteId =
  | "connection-handler"
  | "close-helper"
  | "close-handler"
  | "error-handler"
  | "upgrade-handler"
  | "gateway-wss"
  | "canvas-wss"
  | "shutdown-loop"
  | "set-client";

/** One anchor test on a candidate node; a candidate is a match when every check passes. */
export interface SiteCheck {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface SiteCandidate {
  site: SiteId;
  file: string;
  line: number;
  column: number;
  node: t.Node;
  checks: SiteCheck[];
  /** Facts the patches use (parameter names, upstream-fix markers). */
  data: Record<string, string | boolean | number | undefined>;
}

export interface SiteExpectation {
  count: number;
  why: string;
}

export interface SiteSpec {
  id: SiteId;
  description: string;
  /** Substrings that must all be present in a file for it to be parsed for this site. */
  prefilter: readonly string[];
  /** A babel visitor that reports candidates through `report`; run with noScope in one shared traversal. */
  visitor(report: (path: NodePath, checks: SiteCheck[], data?: SiteCandidate["data"]) => void): Visitor;
  expected(release: ReleaseVersion): SiteExpectation;
}

export function check(name: string, ok: boolean, detail?: string): SiteCheck {
  return detail === undefined ? { name, ok } : { name, ok, detail };
}
