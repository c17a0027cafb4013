import type { Reporter } from "@baiengine/schema";
import cliProgress from "cli-progress";
import type { CliEnvironment } from "./environment.js";

/**
 * Renders a library's Reporter: a live bar on a TTY, one line per step and per 10% of progress under
 * CI or when piped, nothing at all in quiet mode (`--json`). Call `stop()` before printing results.
 */
export function createProgressReporter(
  env: CliEnvironment,
  options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
): Reporter & { stop(): void } {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  let lastPhase = "";
  let lastDecile = -1;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  return {
    step(name, detail) {
      stopBar();
      lastPhase = "";
      stream.write(`» ${name}${detail ? `: ${detail}` : ""}\n`);
    },
    progress(phase, done, total, detail) {
      if (env.tty && total !== null) {
        if (!bar || lastPhase !== phase) {
          stopBar();
          bar = new cliProgress.SingleBar(
            { stream, format: `  ${phase} [{bar}] {value}/{total} {detail}`, hideCursor: true, clearOnComplete: false, barsize: 30 },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done, { detail: detail ?? "" });
          lastPhase = phase;
        }
        bar.setTotal(total);
        bar.update(done, { detail: (detail ?? "").slice(0, 60) });
        return;
      }
      if (total === null || total === 0) return;
      const decile = Math.floor((done / total) * 10);
      if (phase !== lastPhase) {
        lastPhase = phase;
        lastDecile = -1;
      }
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`  ${phase} ${done}/${total} (${decile * 10}%)\n`);
      }
    },
    log(level, message) {
      if (level === "debug" && !process.env["BAIENGINE_DEBUG"]) return;
      stopBar();
      stream.write(level === "warn" ? `warning: ${message}\n` : `  ${message}\n`);
    },
    stop: stopBar,
  };
}
