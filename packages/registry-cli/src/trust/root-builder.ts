import type { Key } from "@tufjs/models";
import { Root } from "@tufjs/models";
import { SPEC_VERSION } from "./metadata-dir.js";
import { ROLES, type RoleName } from "./role-keys.js";

/** A role's entry in root.json: its key ids and how many of them must sign. */
export interface RoleKeys {
  keyIds: string[];
  threshold: number;
}

/**
 * root.json's signed part from its fields, through `Root.fromJSON` (@tufjs/models exports no Role
 * constructor): consistent snapshots on, every top-level role present.
 */
export function buildRoot(version: number, expires: string, keys: Record<string, Key>, roles: Record<RoleName, RoleKeys>): Root {
  const used = new Set(ROLES.flatMap((r) => roles[r].keyIds));
  return Root.fromJSON({
    _type: "root",
    spec_version: SPEC_VERSION,
    version,
    expires,
    consistent_snapshot: true,
    keys: Object.fromEntries(Object.entries(keys).filter(([id]) => used.has(id)).map(([id, key]) => [id, key.toJSON()])),
    roles: Object.fromEntries(ROLES.map((r) => [r, { keyids: roles[r].keyIds, threshold: roles[r].threshold }])),
  });
}

/** A root's roles as plain data. */
export function roleKeysOf(root: Root): Record<RoleName, RoleKeys> {
  return Object.fromEntries(ROLES.map((r) => [r, { keyIds: [...(root.roles[r]?.keyIDs ?? [])], threshold: root.roles[r]?.threshold ?? 1 }])) as Record<RoleName, RoleKeys>;
}
