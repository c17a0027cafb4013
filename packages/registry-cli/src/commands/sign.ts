import { dirname, join } from "node:path";
import type { Rendered } from "@baiengine/cli-kit";
import { signRegistry } from "../trust/sign-registry.js";
import { expiryChoice, keySource } from "./trust-expiry-options.js";

export interface SignCommandOptions {
  registry: string;
  metadataDir?: string;
  keysDir?: string;
}

/** `sign`: new targets (the index and every file it lists), snapshot and timestamp. */
export async function signCommand(opts: SignCommandOptions): Promise<Rendered> {
  const metadataDir = opts.metadataDir ?? join(dirname(opts.registry), "metadata");
  const result = await signRegistry({ registryFile: opts.registry, metadataDir, keys: keySource(opts), expiry: expiryChoice(opts as unknown as Record<string, unknown>) });
  const lines = [
    `${metadataDir}: ${result.written.join(", ")}`,
    `  targets   version ${result.targets.version}: ${result.targets.files} file(s), expires ${result.targets.expires}`,
    `  snapshot  version ${result.snapshot.version}, expires ${result.snapshot.expires}`,
    `  timestamp version ${result.timestamp.version}, expires ${result.timestamp.expires}`,
  ];
  return { json: { metadataDir, ...result }, lines };
}
