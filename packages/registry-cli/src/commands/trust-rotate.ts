import { type Rendered, UsageError } from "@baiengine/cli-kit";
import { rotateKeys } from "../trust/rotate-root.js";
import { isRoleName, ROLES } from "../trust/role-keys.js";
import { expiryChoice, keySource } from "./trust-expiry-options.js";

export interface TrustRotateOptions {
  metadataDir: string;
  keysDir: string;
  role?: string;
  rootKeys?: number;
  rootThreshold?: number;
}

/** `trust rotate`: root N+1 with fresh keys for a role, signed by the old root keys (and the new ones for root). */
export async function trustRotateCommand(opts: TrustRotateOptions): Promise<Rendered> {
  const role = opts.role ?? "root";
  if (!isRoleName(role)) throw new UsageError(`--role ${role} is not one of ${ROLES.join(", ")}`);
  const result = await rotateKeys({
    metadataDir: opts.metadataDir,
    keysDir: opts.keysDir,
    keys: keySource(opts),
    role,
    ...(opts.rootKeys ? { rootKeys: opts.rootKeys } : {}),
    ...(opts.rootThreshold ? { rootThreshold: opts.rootThreshold } : {}),
    expiry: expiryChoice(opts as unknown as Record<string, unknown>),
  });
  const next = role === "root" ? "clients follow it from their trusted root" : role === "timestamp" ? "run `trust timestamp` now" : "run `sign` now";
  const lines = [
    `${opts.metadataDir}: ${result.written.join(", ")} (root version ${result.version}: new ${role} key(s) ${result.added.map((k) => k.slice(0, 16)).join(", ")})`,
    ...(result.retired.length > 0 ? [`retired ${result.retired.join(", ")} to ${opts.keysDir}/retired/`] : []),
    next,
  ];
  return { json: result, lines };
}
