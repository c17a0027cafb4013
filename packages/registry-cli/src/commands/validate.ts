import type { Rendered } from "@baiengine/cli-kit";
import { requirePath } from "../cli/require-path.js";
import { credentialFrom } from "../http/credentials.js";
import { validateIndexFile } from "../validate/validate-index.js";

function withCredential(flag: string | undefined) {
  const credential = credentialFrom(flag);
  return credential ? { credential } : {};
}

export interface ValidateOptions {
  registry: string;
  /** Folders of the packages (`--packages-dir`, repeatable: engines and runtime packs may lie apart). */
  packagesDir?: string[];
  checkUrls?: boolean;
  /** A token for a private mirror (else BAIENGINE_AUTH_TOKEN). */
  authToken?: string;
}

/** `validate`: the index's problems, each one line on stderr (exit 1 when there are any). */
export async function validateCommand(opts: ValidateOptions): Promise<Rendered> {
  const packagesDir = opts.packagesDir ?? [];
  for (const dir of packagesDir) await requirePath(dir, "folder", "--packages-dir");
  const { engines, problems } = await validateIndexFile(opts.registry, { packagesDir, checkUrls: Boolean(opts.checkUrls), ...withCredential(opts.authToken) });
  return {
    json: { ok: problems.length === 0, engines, problems },
    lines: problems.length === 0 ? [`${opts.registry}: valid (${engines} engine(s))`] : [],
    problems: problems.map((p) => `${p.where}: ${p.message}`),
  };
}
