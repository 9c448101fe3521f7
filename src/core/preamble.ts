import type { AttachOptions } from "../runtime/contract.js";

/**
 * At the package root, not in dist/: 2026.4.26+ prune dist files missing from their install inventory
 * when a pending package lifecycle runs at first start, which would delete the runtime.
 */
export const RUNTIME_FILE = "openclaw-patch-runtime.mjs";

/** Identifiers the injected code declares; apply refuses a file that already uses them. */
export const INJECTED_IDENTIFIERS = ["__openclawPatchRequire", "__openclawPatchHooks", "__openclawPatchHook", "__openclawPatchGuard"] as const;

const MARKER = /^\/\* openclaw-patch (\S+) patches=([\w,-]+) \*\/\n/;

export function markerLine(toolVersion: string, patches: readonly string[]): string {
  return `/* openclaw-patch ${toolVersion} patches=${patches.join(",")} */\n`;
}

/** The marker every patched file starts with (after a shebang line, if any). */
export function readMarker(code: string): { toolVersion: string; patches: string[] } | undefined {
  const body = code.startsWith("#!") ? code.slice(code.indexOf("\n") + 1) : code;
  const m = MARKER.exec(body);
  return m ? { toolVersion: m[1]!, patches: m[2]!.split(",") } : undefined;
}

/**
 * Loads the runtime synchronously through createRequire (require of an ES module works on every Node
 * OpenClaw supports, 22.12+), so a missing or broken runtime is caught here and the chunk keeps its
 * original behaviour. `var` and function declarations are hoisted, so a hook reached early through an
 * import cycle finds `undefined` and does nothing instead of hitting a temporal dead zone.
 */
export function preambleCode(runtimeSpecifier: string, options: AttachOptions): string {
  return [
    `import { createRequire as __openclawPatchRequire } from "node:module";`,
    `var __openclawPatchHooks = (() => { try { return __openclawPatchRequire(import.meta.url)(${JSON.stringify(runtimeSpecifier)}).attach(${JSON.stringify(options)}); } catch (error) { try { const key = Symbol.for("openclaw-patch.runtime-warning"); if (!globalThis[key]) { globalThis[key] = true; process.emitWarning("openclaw-patch: the runtime could not be loaded (" + (error && error.message) + "); the gateway keeps its original behaviour", { code: "OCP_RUNTIME_UNAVAILABLE" }); } } catch {} return null; } })();`,
    `function __openclawPatchHook(name, ...args) { if (!__openclawPatchHooks) return; try { __openclawPatchHooks[name]?.(...args); } catch {} }`,
    `function __openclawPatchGuard(server, kind) { __openclawPatchHook("guardServer", server, kind); return server; }`,
    "",
  ].join("\n");
}
