import type * as t from "@babel/types";
import type { ReleaseFacts } from "./fixes.js";
import type { SiteCandidate, SiteId } from "./site.js";

/** Edits a patch may make; each is recorded against the file of the site it touches. */
export interface PatchEditor {
  /** Inserts statements at the start of a function body (block bodies only; sites check that). */
  insertAtBodyStart(site: SiteCandidate, fn: t.Node, code: string): void;
  /** Inserts statements just before a statement. */
  insertBefore(site: SiteCandidate, statement: t.Node, code: string): void;
  /** Wraps an expression: `before` + expression + `after`. */
  wrapExpression(site: SiteCandidate, expression: t.Node, before: string, after: string): void;
}

export interface PatchContext {
  facts: ReleaseFacts;
  /** Matches of a site this patch declared in `sites`. */
  matches(site: SiteId): readonly SiteCandidate[];
  edit: PatchEditor;
  /** A statement calling a runtime hook; never throws, whatever the runtime does. */
  hookCall(name: string, ...args: string[]): string;
  /** An expression that hands `expression` to guardServer and evaluates to it unchanged. */
  guardExpression(kind: "gateway" | "canvas"): { before: string; after: string };
}

/** One patch, one file under patches/. */
export interface PatchDefinition {
  id: string;
  description: string;
  /** Fixes this patch delivers; status reports them per release. */
  carries: readonly string[];
  sites: readonly SiteId[];
  /** A reason when this release does not need the patch (upstream fixed it, or the code is gone). */
  notNeeded?(facts: ReleaseFacts): string | undefined;
  apply(ctx: PatchContext): void;
}

export function definePatch(patch: PatchDefinition): PatchDefinition {
  return patch;
}
