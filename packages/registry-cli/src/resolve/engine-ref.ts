import { UsageError } from "@baiengine/cli-kit";
import { checkNamePart, ENGINE_ID_PATTERN, VERSION_PATTERN } from "@baiengine/schema";

/** `<engine>@<version>` (or `<engine>` alone when `versionRequired` is false), as `install --engine`, `use`, `remove` and `yank` take it. */
export interface EngineRef {
  engineId: string;
  /** A version, `latest`, or null when none was written. */
  version: string | null;
}

/** Parses an engine reference; a malformed one is a usage error (exit 2) saying the form. */
export function parseEngineRef(text: string, options: { versionRequired?: boolean; allowLatest?: boolean } = {}): EngineRef {
  const at = text.indexOf("@");
  const engineId = at < 0 ? text : text.slice(0, at);
  const version = at < 0 ? null : text.slice(at + 1);
  const form = options.allowLatest ? "<engine>@<version> or <engine>@latest" : "<engine>@<version>";
  if (!ENGINE_ID_PATTERN.test(engineId)) throw new UsageError(`${JSON.stringify(text)}: ${checkNamePart("engineId", engineId) ?? "not an engine id"}`, `write ${form}, e.g. llama-cpp@b4618`);
  if (version === null) {
    if (options.versionRequired) throw new UsageError(`${JSON.stringify(text)} names no version`, `write ${form}`);
    return { engineId, version: null };
  }
  if (version === "latest" && options.allowLatest) return { engineId, version };
  if (!VERSION_PATTERN.test(version)) throw new UsageError(`${JSON.stringify(text)}: ${checkNamePart("version", version) ?? "not a version"}`, `write ${form}, e.g. llama-cpp@b4618`);
  return { engineId, version };
}

/** What `--engine <id>[@<version>]`, `--channel` and `--prerelease` ask `resolvePackage` for. */
export function engineAsk(opts: { engine?: string; channel?: string; prerelease?: boolean }): { engineId: string; version?: string; channel?: string } {
  const { engineId, version } = parseEngineRef(String(opts.engine));
  const channel = opts.prerelease ? "prerelease" : opts.channel;
  if (opts.prerelease && opts.channel !== undefined) throw new UsageError("--prerelease is --channel prerelease: pass one of them");
  if (version !== null && channel !== undefined) throw new UsageError(`--engine ${opts.engine} names a version; --${opts.prerelease ? "prerelease" : "channel"} chooses one`, "pass one of them");
  return { engineId, ...(version !== null ? { version } : {}), ...(channel !== undefined ? { channel } : {}) };
}
