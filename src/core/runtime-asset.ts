import fs from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** The bundled runtime shipped with this tool (build/runtime/openclaw-patch-runtime.mjs). */
export const RUNTIME_ASSET = fileURLToPath(new URL("../../runtime/openclaw-patch-runtime.mjs", import.meta.url));

/** The first line of the runtime file, so an existing file can be recognised as ours. */
export const RUNTIME_BANNER = "// openclaw-patch runtime";

export async function readRuntimeAsset(toolVersion: string): Promise<Buffer> {
  const code = await fs.readFile(RUNTIME_ASSET, "utf8");
  return Buffer.from(`${RUNTIME_BANNER} ${toolVersion}: injected by openclaw-patch; removed by \`openclaw-patch revert\`\n${code}`);
}

export function isOurRuntime(content: Buffer): boolean {
  return content.subarray(0, RUNTIME_BANNER.length).toString("utf8") === RUNTIME_BANNER;
}
