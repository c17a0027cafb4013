// Run as a process by young-gc.test.ts: leaves 24 MiB of dead young array buffers, then writes BYTES
// through the pacer alone ("pacer") or through a BodyPump into FILE ("pump"), in 64 KiB pieces, waits
// for V8's background sweeping, and prints the array buffer bytes before and after, in MiB.
import { open } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { BodyPump } from "../../dist/install/body-pump.js";
import { youngGcPacer } from "../../dist/install/young-gc.js";

const [mode, bytes, file] = process.argv.slice(2);
const written = Number(bytes);
const piece = 64 << 10;
let garbage = [];
for (let i = 0; i < 24; i++) garbage.push(Buffer.alloc(1 << 20, i));
garbage = null;
const mib = () => Math.round(process.memoryUsage().arrayBuffers / 2 ** 20);
const before = mib();
if (mode === "pacer") {
  const pace = youngGcPacer();
  for (let at = 0; at < written; at += piece) pace(Math.min(piece, written - at));
} else {
  const handle = await open(file, "w");
  const body = new PassThrough();
  const pump = new BodyPump(body, handle, 0, written, () => new Error("too long"), () => {});
  const chunk = Buffer.alloc(piece, 1);
  for (let at = 0; at < written; at += piece) body.write(chunk.subarray(0, Math.min(piece, written - at)));
  body.end();
  while (!pump.done) await pump.changed();
  await handle.close();
}
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write(`${before} ${mib()}`);
