import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { makeFolders } from "@baiengine/cli-kit/system";
import { Metadata, MetadataKind } from "@tufjs/models";
import { TrustRefusedError } from "../errors.js";
import { writeFileAtomic } from "../index-file/atomic-write.js";
import { trustRefusal } from "./refusal.js";

async function readRoot(file: string): Promise<{ bytes: Buffer; version: number }> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new TrustRefusedError("root", "missing", `${file} cannot be read (${error.code})`, "pass --trust <the registry's root.json>");
  });
  try {
    const root = Metadata.fromJSON(MetadataKind.Root, JSON.parse(bytes.toString("utf8")));
    root.verifyDelegate("root", root);
    return { bytes, version: root.signed.version };
  } catch (error) {
    throw trustRefusal("root", "invalid", `${file} is not a root.json signed by its own root keys (${(error as Error).message})`);
  }
}

/**
 * `--trust <root.json>`: the root this registry's metadata must chain to, remembered in its trust
 * folder from then on (trust on first use only when the user passes it). A remembered root of the
 * same or a higher version is kept (rotation moved it on); a higher version given replaces it.
 * Returns a line to show when the given root was not taken, else null.
 */
export async function rememberTrust(trustDir: string, rootFile: string): Promise<string | null> {
  const given = await readRoot(rootFile);
  const remembered = await readFile(join(trustDir, "root.json"))
    .then((bytes) => Metadata.fromJSON(MetadataKind.Root, JSON.parse(bytes.toString("utf8"))).signed.version)
    .catch(() => null);
  if (remembered !== null && remembered >= given.version) {
    return remembered === given.version ? null : `--trust ${rootFile} is root version ${given.version}; this registry already trusts version ${remembered} (reached by rotation), which is kept`;
  }
  await makeFolders(trustDir);
  await writeFileAtomic(join(trustDir, "root.json"), given.bytes);
  return null;
}
