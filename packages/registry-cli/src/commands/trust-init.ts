import type { Rendered } from "@baiengine/cli-kit";
import { DEFAULT_EXPIRY } from "../trust/expiry.js";
import { initTrust } from "../trust/trust-init.js";
import { expiryChoice } from "./trust-expiry-options.js";

export interface TrustInitCommandOptions {
  metadataDir: string;
  keysDir: string;
  rootKeys?: number;
  rootThreshold?: number;
  rootExpires?: number;
}

/** `trust init`: the registry's keys (files only, never printed) and root.json version 1. */
export async function trustInitCommand(opts: TrustInitCommandOptions): Promise<Rendered> {
  const result = await initTrust({
    metadataDir: opts.metadataDir,
    keysDir: opts.keysDir,
    ...(opts.rootKeys ? { rootKeys: opts.rootKeys } : {}),
    ...(opts.rootThreshold ? { rootThreshold: opts.rootThreshold } : {}),
    expiry: expiryChoice(opts as unknown as Record<string, unknown>),
  });
  const lines = [
    `${opts.metadataDir}: ${result.metadata.join(", ")} (root expires ${result.rootExpires}${opts.rootExpires ? "" : `; ${DEFAULT_EXPIRY.root.why}`})`,
    `${opts.keysDir}: ${result.keys.join(", ")} (private keys, mode 0600: keep root keys offline; give targets, snapshot and timestamp keys to CI as secrets)`,
    ...Object.entries(result.keyIds).map(([role, ids]) => `  ${role.padEnd(9)} ${ids.join(", ")}`),
    "publish the metadata folder beside engines.json; users pass its root.json to --trust",
  ];
  return { json: result, lines };
}
