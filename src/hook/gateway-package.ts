import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import { diagnostic, OcpError } from "../core/diagnostics.js";
import type { HookContext } from "./context.js";
import { nodeInServiceArguments } from "../locate/service/service-argv.js";
import { packageRootInArguments, serviceProgramArguments } from "./service-program.js";
import { findHookServices, selectService, type ServiceSelector } from "./services.js";

/**
 * `--dir` as given (checked to be OpenClaw); else the package the gateway service starts, which is
 * the one that must be re-patched; else auto-detection, which must find exactly one install.
 */
export async function gatewayPackageRoot(dir: string | undefined, selector: ServiceSelector, ctx: HookContext): Promise<string> {
  const { resolvePackageRoot } = await import("../locate/package-root.js");
  if (dir !== undefined) return resolvePackageRoot(dir);
  const argv = await serviceArguments(selector, ctx);
  const fromService = argv === undefined ? undefined : packageRootInArguments(argv, ctx.host.platform);
  if (fromService !== undefined) {
    const root = await resolvePackageRoot(fromService).catch(() => undefined);
    if (root !== undefined) return root;
  }
  const { findInstalls } = await import("../locate/find-installs.js");
  const { installs } = await findInstalls();
  const served = installs.filter((i) => i.service !== undefined);
  const pool = served.length > 0 ? served : installs;
  const only = pool[0];
  if (pool.length === 1 && only !== undefined) return only.root;
  if (pool.length === 0) {
    throw new OcpError(diagnostic("OCP_NO_INSTALL", "no OpenClaw install found", "pass --dir with the folder of the openclaw package the gateway runs"));
  }
  throw new OcpError(
    diagnostic("OCP_SEVERAL_INSTALLS", `${pool.length} OpenClaw installs found`, "pass --dir with the folder of the openclaw package the gateway runs", {
      installs: pool.map((i) => i.root),
    }),
  );
}

async function serviceArguments(selector: ServiceSelector, ctx: HookContext): Promise<string[] | undefined> {
  const service = selectService(await findHookServices(ctx.host), selector);
  return service === null ? undefined : serviceProgramArguments(service, ctx.host);
}

/** The Node the gateway service runs, when it still exists: the wrapper starts the gateway with it. */
export async function serviceNode(selector: ServiceSelector, ctx: HookContext): Promise<string | undefined> {
  const argv = await serviceArguments(selector, ctx);
  const node = argv === undefined ? undefined : nodeInServiceArguments(argv, ctx.host.platform);
  if (node === undefined) return undefined;
  return (await fs.access(node, fsConstants.X_OK).then(() => true, () => false)) ? node : undefined;
}

