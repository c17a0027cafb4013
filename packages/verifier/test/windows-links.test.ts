import { copyFileSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tar from "tar";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPeFixtures, type PeFixtures } from "./binary/fixtures.js";
import { VALID_MANIFEST } from "./helpers/tar-writer.js";
import { runCli, tempDirSync } from "@baiengine/test-kit";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "verify-engine.js");
const NAME = "llama-cpp-b4618-windows-x86_64-cpu.baiengine";
let work: string;
let pe: PeFixtures;

const verify = (file: string) => runCli(bin, [file, "--json"]);

/** A Windows package: a mingw-built llama-server.exe importing foo.dll, the DLL placed by `placeDll`. */
async function windowsPackage(name: string, placeDll: (pkg: string) => void): Promise<string> {
  const root = join(work, name);
  const pkg = join(root, "package");
  mkdirSync(pkg, { recursive: true });
  copyFileSync(pe.app, join(pkg, "llama-server.exe"));
  placeDll(pkg);
  writeFileSync(join(pkg, "manifest.json"), JSON.stringify({ ...VALID_MANIFEST, os: "windows", serverBinary: "llama-server.exe" }));
  const file = join(root, NAME);
  await tar.create({ gzip: true, cwd: root, file, portable: true }, ["package"]);
  return file;
}

beforeAll(() => {
  work = tempDirSync("verifier-winlinks");
  pe = buildPeFixtures();
});

describe("links in a Windows package", () => {
  it("the DLL under the imported name: ok", async () => {
    const file = await windowsPackage("plain", (pkg) => copyFileSync(pe.dll, join(pkg, "foo.dll")));
    const run = await verify(file);
    expect(run.code, run.stdout).toBe(0);
  });

  it("the imported DLL reached through a symbolic link: WINDOWS_SYMLINK error", async () => {
    const file = await windowsPackage("symlink", (pkg) => {
      copyFileSync(pe.dll, join(pkg, "foo-1.dll"));
      symlinkSync("foo-1.dll", join(pkg, "foo.dll"));
    });
    const run = await verify(file);
    expect(run.code).toBe(1);
    const findings = JSON.parse(run.stdout).findings as { code: string; path?: string; message: string }[];
    expect(findings).toContainEqual(expect.objectContaining({ code: "WINDOWS_SYMLINK", path: "package/foo.dll", message: expect.stringContaining("Developer Mode") }));
  });

  it("a hard link: an error finding too", async () => {
    const file = await windowsPackage("hardlink", (pkg) => {
      copyFileSync(pe.dll, join(pkg, "foo.dll"));
      linkSync(join(pkg, "foo.dll"), join(pkg, "foo-copy.dll"));
    });
    const run = await verify(file);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings).toContainEqual(expect.objectContaining({ code: "ENTRY_HARDLINK", severity: "error" }));
  });

  it("a path longer than Windows' 260-character limit once installed: WINDOWS_PATH_TOO_LONG with the length and the limit", async () => {
    // 70 (engines folder) + "llama-cpp\\b4618\\windows-x86_64-cpu\\" (36) + the path under package/.
    const fits = `${"d".repeat(100)}/${"f".repeat(49)}.dll`;
    const over = `${"d".repeat(100)}/${"f".repeat(50)}.dll`;
    const file = await windowsPackage("long-paths", (pkg) => {
      copyFileSync(pe.dll, join(pkg, "foo.dll"));
      mkdirSync(join(pkg, "d".repeat(100)));
      writeFileSync(join(pkg, fits), "x");
      writeFileSync(join(pkg, over), "x");
    });
    const run = await verify(file);
    expect(run.code).toBe(1);
    const findings = (JSON.parse(run.stdout).findings as { code: string; path?: string; message: string }[]).filter((f) => f.code === "WINDOWS_PATH_TOO_LONG");
    expect(findings).toEqual([expect.objectContaining({ path: `package/${over}`, message: expect.stringMatching(/is 260 characters .* over Windows' limit of 259 \(MAX_PATH 260/) })]);
  });
});
