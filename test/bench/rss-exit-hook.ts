// Preloaded with `node --import` by the RSS probe when GNU time is missing: at exit, writes this
// process's peak resident set size (KiB) and CPU time to $OCP_BENCH_RSS_FILE.
import { writeFileSync } from "node:fs";

const report = process.env.OCP_BENCH_RSS_FILE;
if (report) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    // Same layout as the GNU time probe: peak RSS in KiB, then user and system CPU, here in ms.
    writeFileSync(report, `${usage.maxRSS} ${usage.userCPUTime / 1000} ${usage.systemCPUTime / 1000}\n`);
  });
}
