import type { Rendered } from "@baiengine/cli-kit";
import { renewTimestamp } from "../trust/renew-timestamp.js";
import { expiryChoice, keySource } from "./trust-expiry-options.js";

export interface TrustTimestampOptions {
  metadataDir: string;
  keysDir?: string;
}

/** `trust timestamp`: re-signs the timestamp (and a snapshot about to expire, given its key). */
export async function trustTimestampCommand(opts: TrustTimestampOptions): Promise<Rendered> {
  const result = await renewTimestamp({ metadataDir: opts.metadataDir, keys: keySource(opts), expiry: expiryChoice(opts as unknown as Record<string, unknown>) });
  const lines = [
    ...(result.snapshot ? [`snapshot  version ${result.snapshot.version}, expires ${result.snapshot.expires} (it was about to expire)`] : []),
    `timestamp version ${result.timestamp.version}, expires ${result.timestamp.expires}`,
  ];
  return { json: result, lines, ...(result.warning ? { warnings: [result.warning] } : {}) };
}
