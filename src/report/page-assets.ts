import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { fail } from "../core/diagnostics.js";

/** The page's script (its own code with the charting library) and style, bundled by scripts/build-runtime.mjs. */
export interface PageAssets {
  script: string;
  style: string;
}

const ASSET_URLS = {
  script: new URL("../../runtime/report-page.js", import.meta.url),
  style: new URL("../../runtime/report-page.css", import.meta.url),
};

export function readPageAssets(): PageAssets {
  const read = (url: URL): string => {
    try {
      return fs.readFileSync(url, "utf8");
    } catch (error) {
      return fail(
        "OCP_REPORT_PAGE_MISSING",
        `the report page's ${fileURLToPath(url)} cannot be read: ${(error as Error).message}`,
        "reinstall openclaw-patch; in a clone, run npm run build",
      );
    }
  };
  return { script: read(ASSET_URLS.script), style: read(ASSET_URLS.style) };
}
