import { resolve as resolvePath } from "node:path";
import type { Reporter } from "@baiengine/schema";
import { defaultEnginesDir } from "../install/engines-dir.js";
import type { LoadRegistryOptions } from "./load-registry.js";

/** The flags of a command that reads the index: `--registry` (path or URL), `--engines-dir`, `--trust`, `--timeout`. */
export interface IndexFlags {
  registry: string;
  enginesDir?: string;
  trust?: string;
  timeout?: number;
}

/**
 * loadRegistry's options from a command's flags, with a reporter that collects the warnings (an
 * offline cache, a root kept from rotation) for the command's rendered result.
 */
export function indexOptions(opts: IndexFlags, warnings: string[], extra: Partial<LoadRegistryOptions> = {}): LoadRegistryOptions {
  const reporter: Reporter = { log: (level, message) => void (level === "warn" && warnings.push(message)) };
  return {
    registry: opts.registry,
    enginesDir: resolvePath(opts.enginesDir ?? defaultEnginesDir()),
    ...(opts.trust !== undefined ? { trust: opts.trust } : {}),
    ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}),
    reporter,
    ...extra,
  };
}
