import { readdir, readFile, readlink, realpath, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** Why a file is not ready to be judged (still being copied in), or null when it is stable. */
export type Arrival = string | null;

/**
 * The processes of this user that hold `file` open for writing, from Linux's /proc (`fd/N` links to
 * it, `fdinfo/N` flags with O_WRONLY or O_RDWR). Empty where there is no /proc (macOS, Windows: there
 * a copier's open file refuses the rename that moves it aside, and the size/time check catches it).
 */
async function writersOf(file: string): Promise<number[]> {
  const pids = await readdir("/proc").catch(() => [] as string[]);
  const writers: number[] = [];
  for (const pid of pids.filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")) !== file) continue;
      const flags = /^flags:\s+([0-7]+)$/m.exec(await readFile(`/proc/${pid}/fdinfo/${fd}`, "utf8").catch(() => ""))?.[1];
      // O_ACCMODE is the low two bits: 1 O_WRONLY, 2 O_RDWR.
      if (flags !== undefined && (Number.parseInt(flags, 8) & 3) !== 0) writers.push(Number(pid));
    }
  }
  return writers;
}

/**
 * For each file, whether it is still arriving: held open for writing by another process, or its
 * size or modification time changed over `settleMs` (one wait for all the files). A file still being
 * copied into `incoming/` is left for the next run instead of being judged truncated.
 */
export async function stillArriving(files: string[], settleMs: number): Promise<Map<string, Arrival>> {
  const before = await Promise.all(files.map((f) => stat(f).catch(() => null)));
  if (settleMs > 0) await sleep(settleMs);
  const out = new Map<string, Arrival>();
  for (const [i, file] of files.entries()) {
    const now = await stat(file).catch(() => null);
    const was = before[i];
    if (now === null || was == null) {
      out.set(file, "it disappeared while it was looked at");
      continue;
    }
    const writers = await writersOf(await realpath(file).catch(() => file));
    if (writers.length > 0) out.set(file, `process ${writers.join(", ")} has it open for writing`);
    else if (now.size !== was.size || now.mtimeMs !== was.mtimeMs) out.set(file, `its size or time changed within ${settleMs / 1000} s`);
    else out.set(file, null);
  }
  return out;
}
