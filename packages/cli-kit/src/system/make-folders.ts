import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * `mkdir -p` that always ends. Node's `fs.mkdir(path, { recursive: true })` spins forever (100% CPU,
 * the promise never settles) when an existing parent answers ENOENT for a new child, as procfs and
 * sysfs do (`/proc/x/y`; github.com/Kewton/CommandMate/issues/1774 measured it on Node 18 and 22;
 * reproduced here on Node 20.20). This walks up to the nearest existing folder and creates each
 * missing one without `recursive`, so such a file system gives its ENOENT once. Throws the errno
 * error of the step that failed (ENOTDIR when a file is in the way, ENOENT, EACCES, EROFS, ...):
 * callers map it as any file-system error. Each folder it creates gets `mode` (0755: readable by
 * every user of a shared engines folder) whatever the process's umask; existing ones keep theirs.
 */
export async function makeFolders(path: string, mode = 0o755): Promise<void> {
  const missing: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    const st = await stat(p).catch((error: NodeJS.ErrnoException) => error);
    if (!(st instanceof Error)) {
      if (st.isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: "ENOTDIR", syscall: "mkdir", path: p });
    }
    if (st.code !== "ENOENT" || dirname(p) === p) throw st;
    missing.unshift(p);
  }
  for (const p of missing) {
    await mkdir(p).then(
      () => chmod(p, mode),
      async (error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
      // Another process made it meanwhile: fine when it is a folder. Else a link to nothing (an unmounted disk) is in the way.
      if (!(await stat(p).then((s) => s.isDirectory(), () => false))) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), { code: "ENOTDIR", syscall: "mkdir", path: p });
      },
    );
  }
}
