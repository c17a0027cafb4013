// Loaded with `node --import`: records, at every file-system call and child process the program makes,
// the chain of this repository's modules on the stack at that moment, async callers included (V8
// adds `at async f (...)` frames for awaited calls), one JSON array per line into ROUTE_TO. Built-in
// modules are wrapped in place and their ES exports re-synced, so the program's own
// `import { rm } from "node:fs/promises"` sees the wrapper.
import childProcess from "node:child_process";
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const out = process.env.ROUTE_TO;
const write = fs.appendFileSync;
Error.stackTraceLimit = 200;

/** `packages/registry-cli/dist/install/pipeline.js` of each repository frame, callers first, repeats folded. */
function chain() {
  const frames = (new Error().stack ?? "").split("\n").slice(2);
  const modules = [];
  for (const frame of frames) {
    const m = /\(?file:\/\/(\S+?\/(?:packages|apps)\/[^/]+\/dist\/\S+?\.js):\d+:\d+\)?$/.exec(frame);
    if (!m) continue;
    const module = m[1].slice(m[1].search(/\/(packages|apps)\//) + 1);
    if (modules[modules.length - 1] !== module) modules.push(module);
  }
  return modules.reverse();
}

let busy = false;
function wrap(target, name) {
  const original = target[name];
  if (typeof original !== "function") return;
  target[name] = function (...args) {
    if (!busy) {
      busy = true;
      try {
        const c = chain();
        if (c.length > 0) write(out, `${JSON.stringify(c)}\n`);
      } finally {
        busy = false;
      }
    }
    return original.apply(this, args);
  };
  // Keep what hangs on the original (util.promisify.custom of execFile).
  for (const key of Reflect.ownKeys(original)) if (!(key in target[name])) target[name][key] = original[key];
  const custom = Symbol.for("nodejs.util.promisify.custom");
  if (original[custom]) {
    const promised = original[custom];
    target[name][custom] = (...args) => {
      const c = chain();
      if (c.length > 0) write(out, `${JSON.stringify(c)}\n`);
      return promised(...args);
    };
  }
}

for (const name of ["open", "rm", "rmdir", "mkdir", "readdir", "readFile", "writeFile", "rename", "stat", "lstat", "link", "copyFile", "mkdtemp"]) wrap(fs.promises, name);
for (const name of ["openSync", "writeFileSync", "mkdirSync", "renameSync", "symlinkSync", "ftruncateSync", "createReadStream"]) wrap(fs, name);
for (const name of ["execFile", "spawn"]) wrap(childProcess, name);
syncBuiltinESMExports();
