import type { CliEnvironment } from "./environment.js";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, hint?: string): void;
  /** Folds a section in CI logs (`::group::` on GitHub Actions). */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** Messages go to stderr so stdout stays for results (and `--json`). */
export function createLogger(env: CliEnvironment, stream: NodeJS.WritableStream = process.stderr): Logger {
  const write = (line: string) => stream.write(`${line}\n`);
  return {
    info: (m) => write(m),
    warn: (m) => write(env.githubActions ? `::warning::${escapeAnnotation(m)}` : `warning: ${m}`),
    error: (m, hint) => {
      write(env.githubActions ? `::error::${escapeAnnotation(m)}` : `error: ${m}`);
      if (hint) write(`  hint: ${hint}`);
    },
    async group(title, work) {
      if (!env.githubActions) {
        write(title);
        return work();
      }
      write(`::group::${title}`);
      try {
        return await work();
      } finally {
        write("::endgroup::");
      }
    },
  };
}

/** GitHub workflow commands need %, CR and LF escaped in their data. */
export function escapeAnnotation(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Same as escapeAnnotation, plus `:` and `,` which separate annotation properties. */
export function escapeAnnotationProperty(value: string): string {
  return escapeAnnotation(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
