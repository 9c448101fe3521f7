import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { WebSocket, WebSocketServer } from "ws";

/**
 * The install's own `ws`, loaded the way the gateway loads it. The types describe ws 8; older
 * copies are reached through the same names (`ws.Server`, the module itself as the client class).
 */
export interface PackageWs {
  WebSocketServer: typeof WebSocketServer;
  WebSocket: typeof WebSocket;
}

/** Throws what `require.resolve` throws when the package cannot resolve `ws`. */
export function resolvePackageWs(packageJson: string): string {
  return createRequire(packageJson).resolve("ws");
}

export function loadPackageWs(packageJson: string, wsPath: string): PackageWs {
  const ws = createRequire(packageJson)(wsPath) as typeof WebSocket & { WebSocket?: typeof WebSocket; WebSocketServer?: typeof WebSocketServer; Server: typeof WebSocketServer };
  return { WebSocketServer: ws.WebSocketServer || ws.Server, WebSocket: ws.WebSocket || ws };
}

export function wsVersion(wsPath: string): string | null {
  let dir = dirname(wsPath);
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "ws") return String(pkg.version);
    } catch {
      // not a package folder, or not readable: look one level up
    }
    dir = dirname(dir);
  }
  return null;
}
