import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/errors.js";
import { hashTree, hostPlatform, makeFolders, mapConcurrent, newestFileTime, renameWithRetry, requireHostPlatform, sourceIdentity, UnsupportedHostError, which } from "../src/system/index.js";
import { tempDirSync } from "@baiengine/test-kit";

const temp = () => tempDirSync("cli-kit-system");

function file(at: string, content = "", mode = 0o644): string {
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, content, { mode });
  return at;
}

describe("which", () => {
  it("finds an executable on PATH in order, skips non-executables and folders, checks a path as it is", () => {
    const dir = temp();
    const [a, b] = [path.join(dir, "a"), path.join(dir, "b")];
    file(path.join(a, "tool"), "", 0o644);
    mkdirSync(path.join(a, "cc"), { recursive: true });
    const found = file(path.join(b, "tool"), "#!/bin/sh\n", 0o755);
    file(path.join(b, "cc"), "", 0o755);
    expect(which("tool", `${a}:${b}`, { platform: "linux" })).toBe(found);
    expect(which("cc", `${a}::${b}`, { platform: "linux" })).toBe(path.join(b, "cc"));
    expect(which("missing", `${a}:${b}`, { platform: "linux" })).toBeNull();
    expect(which(found, "", { platform: "linux" })).toBe(found);
    expect(which(path.join(a, "tool"), "", { platform: "linux" })).toBeNull();
  });

  it("on Windows tries the bare name, then each PATHEXT extension in order, folder by folder, with ; between folders", () => {
    const dir = temp();
    const [a, b] = [path.join(dir, "a"), path.join(dir, "b")];
    // No execute bit on Windows: any regular file counts.
    const cmd = file(path.join(a, "nvcc.CMD"), "", 0o644);
    file(path.join(a, "nvcc.BAT"), "", 0o644);
    file(path.join(b, "nvcc.EXE"), "", 0o644);
    expect(which("nvcc", `${a};${b}`, { platform: "win32", pathext: ".EXE;.CMD;.BAT" })).toBe(cmd);
    expect(which("nvcc", `${a};${b}`, { platform: "win32", pathext: ".BAT;.CMD" })).toBe(path.join(a, "nvcc.BAT"));
    expect(which("nvcc", `${b};${a}`, { platform: "win32", pathext: ".CMD;.EXE" })).toBe(path.join(b, "nvcc.EXE"));
    expect(which("nvcc", `${a}:${b}`, { platform: "linux" })).toBeNull();
  });
});

describe("host platform", () => {
  it("names Node's platforms in the registry's terms, and null for others", () => {
    expect(hostPlatform("linux", "x64")).toEqual({ os: "linux", arch: "x86_64" });
    expect(hostPlatform("darwin", "arm64")).toEqual({ os: "macos", arch: "aarch64" });
    expect(hostPlatform("win32", "x64")).toEqual({ os: "windows", arch: "x86_64" });
    expect(hostPlatform("freebsd", "x64")).toBeNull();
    expect(hostPlatform("linux", "ia32")).toBeNull();
  });

  it("requireHostPlatform refuses an unknown machine with exit 2 and the caller's hint", () => {
    expect(requireHostPlatform("unused", "linux", "arm64")).toEqual({ os: "linux", arch: "aarch64" });
    let error: unknown;
    try {
      requireHostPlatform("pass --os and --arch", "freebsd", "x64");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedHostError);
    expect(error).toMatchObject({ exitCode: EXIT.usage, hint: "pass --os and --arch", message: "this machine (freebsd/x64) is not a platform of the registry" });
  });
});

describe("renameWithRetry", () => {
  /** A real refusal the OS lifts when asked: an immutable file as root (EPERM), a read-only folder otherwise (EACCES). */
  function lockedFile(): { from: string; to: string; unlock: () => void } {
    const dir = temp();
    const from = file(path.join(dir, "in", ".x.partial"), "new");
    const to = path.join(dir, "in", "x");
    if (process.getuid?.() === 0) {
      execFileSync("chattr", ["+i", from]);
      return { from, to, unlock: () => execFileSync("chattr", ["-i", from]) };
    }
    chmodSync(path.dirname(from), 0o555);
    return { from, to, unlock: () => chmodSync(path.dirname(from), 0o755) };
  }

  it("retries while the OS refuses with EPERM/EACCES and renames once it lets go", async () => {
    const { from, to, unlock } = lockedFile();
    const codes: string[] = [];
    await renameWithRetry(from, to, [1, 1, 1], (error) => {
      codes.push(error.code ?? "");
      if (codes.length === 2) unlock();
    });
    expect(codes.length).toBe(2);
    expect(["EPERM", "EACCES"]).toContain(codes[0]);
    expect(readFileSync(to, "utf8")).toBe("new");
    expect(existsSync(from)).toBe(false);
  });

  it("gives up with the OS's error after the last delay, and throws other errors at once", async () => {
    const { from, to, unlock } = lockedFile();
    let retries = 0;
    const error = await renameWithRetry(from, to, [1, 1], () => void retries++).catch((e: NodeJS.ErrnoException) => e);
    unlock();
    expect(["EPERM", "EACCES"]).toContain((error as NodeJS.ErrnoException).code);
    expect(retries).toBe(2);
    const missing = await renameWithRetry(path.join(temp(), "nothing"), path.join(temp(), "x"), [1], () => void retries++).catch((e: NodeJS.ErrnoException) => e);
    expect((missing as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(retries).toBe(2);
  });
});

describe("makeFolders", () => {
  it("creates the missing folders, and accepts folders that are there", async () => {
    const dir = temp();
    await makeFolders(path.join(dir, "a", "b c", "d"));
    await makeFolders(path.join(dir, "a", "b c"));
    expect(existsSync(path.join(dir, "a", "b c", "d"))).toBe(true);
  });

  it("ends with the errno error where Node's recursive mkdir spins forever (procfs) or a file or dangling link is in the way", async () => {
    // procfs answers ENOENT for a new child of an existing folder: fs.mkdir({ recursive: true }) never settles there.
    await expect(makeFolders("/proc/baiengine-no/engines")).rejects.toMatchObject({ code: "ENOENT", syscall: "mkdir", path: "/proc/baiengine-no" });
    const dir = temp();
    file(path.join(dir, "file"));
    await expect(makeFolders(path.join(dir, "file", "sub"))).rejects.toMatchObject({ code: "ENOTDIR" });
    symlinkSync(path.join(dir, "unmounted"), path.join(dir, "dangling"));
    await expect(makeFolders(path.join(dir, "dangling", "engines"))).rejects.toMatchObject({ code: "ENOTDIR", path: path.join(dir, "dangling") });
  });
});

describe("mapConcurrent", () => {
  it("keeps the input order and never runs more than the limit at once", async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (n, i) => {
      running++;
      most = Math.max(most, running);
      for (let k = 0; k < n; k++) await Promise.resolve();
      running--;
      return `${i}:${n}`;
    });
    expect(results).toEqual(["0:5", "1:1", "2:4", "3:2", "4:3", "5:0"]);
    expect(most).toBe(2);
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
    expect(await mapConcurrent([1, 2], 0, async (n) => n * 2)).toEqual([2, 4]);
  });
});

describe("sourceIdentity", () => {
  const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" }).trim();

  it("a git checkout is its commit, plus a hash of tracked changes and untracked files' content", async () => {
    const dir = temp();
    file(path.join(dir, "CMakeLists.txt"), "project(x)\n");
    git(dir, "init", "-q");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "one");
    const head = git(dir, "rev-parse", "HEAD");
    expect(await sourceIdentity(dir)).toBe(`git:${head}`);
    file(path.join(dir, "new.c"), "int a;\n");
    const untracked = await sourceIdentity(dir);
    expect(untracked).toMatch(new RegExp(`^git:${head}\\+[0-9a-f]{16}$`));
    file(path.join(dir, "new.c"), "int b;\n");
    expect(await sourceIdentity(dir)).not.toBe(untracked);
    file(path.join(dir, "new.c"), "int a;\n");
    expect(await sourceIdentity(dir)).toBe(untracked);
    file(path.join(dir, "CMakeLists.txt"), "project(y)\n");
    expect(await sourceIdentity(dir)).not.toBe(untracked);
  });

  it("any other folder (one inside a checkout too) is its content: times do not count, bytes do, links are not followed", async () => {
    const dir = temp();
    file(path.join(dir, "src", "a.c"), "int a;\n");
    file(path.join(dir, "build", "junk.o"), "x");
    symlinkSync("..", path.join(dir, "src", "loop"));
    const first = await sourceIdentity(dir);
    expect(first).toBe(`tree:${hashTree(dir)}`);
    utimesSync(path.join(dir, "src", "a.c"), new Date(0), new Date(0));
    file(path.join(dir, "build", "junk.o"), "y");
    expect(await sourceIdentity(dir)).toBe(first);
    file(path.join(dir, "src", "a.c"), "int b;\n");
    expect(await sourceIdentity(dir)).not.toBe(first);
    git(dir, "init", "-q");
    expect(await sourceIdentity(path.join(dir, "src"))).toMatch(/^tree:[0-9a-f]{16}$/);
  });
});

describe("newestFileTime", () => {
  it("is the newest regular file's time in whole seconds; .git, build, node_modules and symlinks do not count", () => {
    const dir = temp();
    expect(newestFileTime(dir)).toBeNull();
    file(path.join(dir, "CMakeLists.txt"), "project(x)\n");
    file(path.join(dir, "src", "a.c"), "int a;\n");
    utimesSync(path.join(dir, "CMakeLists.txt"), 1600000000, 1600000000);
    utimesSync(path.join(dir, "src", "a.c"), 1650000000.75, 1650000000.75);
    for (const skipped of [".git", "build", "node_modules"]) file(path.join(dir, skipped, "x"), "newer");
    symlinkSync("a.c", path.join(dir, "src", "link"));
    expect(newestFileTime(dir)).toBe(1650000000);
  });
});
