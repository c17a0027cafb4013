// Loaded with `node --import` by install-bench.mjs: writes the process's peak resident set size
// (process.resourceUsage().maxRSS, in KiB) to $BENCH_MAX_RSS_FILE when it exits.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.BENCH_MAX_RSS_FILE) writeFileSync(process.env.BENCH_MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
