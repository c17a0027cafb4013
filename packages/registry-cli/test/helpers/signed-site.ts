import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { afterEach, beforeAll, expect } from "vitest";
import { readCurrentMetadata } from "../../src/trust/metadata-dir.js";
import { keyVariable, type RoleName } from "../../src/trust/role-keys.js";
import { publishHello } from "./published-hello.js";
import { tempDir } from "@baiengine/test-kit";
import { runCli } from "./run-cli.js";
import { startSiteServer, type SiteServer } from "./site-server.js";

/**
 * A signed registry as it is hosted: `registry/engines.json` and `registry/metadata/` (from the real
 * `trust init` and `sign`), the package under `releases/{tag}/{filename}`, all served by a loopback
 * web server; the keys outside the served folder.
 */
export interface SignedSite {
  server: SiteServer;
  /** The served folder. */
  root: string;
  registryFile: string;
  metadataDir: string;
  keysDir: string;
  /** The index URL the app reads. */
  indexUrl: string;
  /** A copy of root.json version 1, outside the served folder (what a user passes to --trust). */
  trustedRoot: string;
  filename: string;
  version: string;
  close(): Promise<void>;
}

export async function cli(args: string[], env?: NodeJS.ProcessEnv) {
  const run = await runCli(args, env ? { env } : {});
  return run;
}

export async function mustRun(args: string[], env?: NodeJS.ProcessEnv) {
  const run = await cli(args, env);
  expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(0);
  return run;
}

/** Lays out and signs a site for the published hello package; `init` adds flags to `trust init` (or is skipped when false). */
export async function signedSite(published: { registry: string; mirror: string }, packed: { file: string; version: string }, options: { init?: string[] | false } = {}): Promise<SignedSite> {
  const work = await tempDir("signed-site");
  const root = join(work, "site");
  const registryDir = join(root, "registry");
  await mkdir(registryDir, { recursive: true });
  const filename = basename(packed.file);
  const tag = `hello-v${packed.version}`;
  await mkdir(join(root, "releases", tag), { recursive: true });
  await copyFile(join(published.mirror, tag, filename), join(root, "releases", tag, filename));
  const server = await startSiteServer(root);
  const registryFile = join(registryDir, "engines.json");
  const index = JSON.parse(await readFile(published.registry, "utf8"));
  index.baseUrl = `${server.url}/releases`;
  await writeFile(registryFile, `${JSON.stringify(index, null, 2)}\n`);
  const metadataDir = join(registryDir, "metadata");
  const keysDir = join(work, "keys");
  if (options.init !== false) {
    await mustRun(["trust", "init", "--metadata-dir", metadataDir, "--keys-dir", keysDir, ...(options.init ?? [])]);
    await mustRun(["sign", "--registry", registryFile, "--metadata-dir", metadataDir, "--keys-dir", keysDir]);
  }
  const trustedRoot = join(work, "root.json");
  if (options.init !== false) await copyFile(join(metadataDir, "1.root.json"), trustedRoot);
  return { server, root, registryFile, metadataDir, keysDir, indexUrl: `${server.url}/registry/engines.json`, trustedRoot, filename, version: packed.version, close: () => server.close() };
}

/** The PEM text of a role's key(s) in the keys folder (as a CI secret would hold it). */
export async function roleKeyPem(keysDir: string, role: RoleName): Promise<string> {
  const names = (await readdir(keysDir)).filter((n) => n.startsWith(`${role}-`) && n.endsWith(".pem")).sort();
  return (await Promise.all(names.map((n) => readFile(join(keysDir, n), "utf8")))).join("");
}

/** An environment holding only the given roles' keys (the others absent), as CI secrets. */
export async function keyEnv(keysDir: string, roles: RoleName[]): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = {};
  for (const r of roles) env[keyVariable(r)] = await roleKeyPem(keysDir, r);
  return env;
}

export const currentMetadata = readCurrentMetadata;

/** What the engines folder holds for hello (nothing after a refused install). */
export async function installedHello(enginesDir: string): Promise<string[]> {
  return readdir(join(enginesDir, "hello")).catch(() => []);
}

/**
 * Sites for the tests of one file: the hello package published once (beforeAll), each site closed
 * after its test, temp folders removed at the end. `site(false)` is an unsigned site.
 */
export function signedSites(packed: { file: string; version: string }) {
  let published: { registry: string; mirror: string };
  const open: SignedSite[] = [];
  beforeAll(async () => {
    published = await publishHello(packed);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  return async (init?: string[] | false): Promise<SignedSite> => {
    const s = await signedSite(published, packed, init === undefined ? {} : { init });
    open.push(s);
    return s;
  };
}
