import { readFileSync } from "node:fs";

/** This tool's version, from its own package.json (two levels above build/src/core). */
export const TOOL_VERSION: string = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
