import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Bytes of body written between two young-generation collections.
 *
 * Why collect at all: Node allocates a fresh ArrayBuffer for every socket read (64 KiB), and V8
 * frees dead ones only at a scavenge, which it starts on their account once about 32 MB are waiting
 * (V8 heap.cc, `2 * kMaxSemiSpaceSize`), so a download kept that much garbage resident. A scavenge
 * of a young generation this small is far cheaper than the write it follows; it is done after a
 * write, when the chunks just written have died young and few new ones are alive to be promoted.
 */
const COLLECT_EVERY_BYTES = 1 << 20;

type Gc = (options: { type: "minor"; execution: "sync" }) => void;

let gc: Gc | null | undefined;

/**
 * V8's gc(), exposed at run time as jest's leak detector does: the flag makes `gc` a global of new
 * contexts only, so the process's own global is unchanged. null where V8 refuses.
 */
function gcFunction(): Gc | null {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as Gc;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/**
 * A counter of written bytes that runs a young-generation GC each time COLLECT_EVERY_BYTES more
 * were written. It changes memory only: without gc() it does nothing.
 */
export function youngGcPacer(): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < COLLECT_EVERY_BYTES) return;
    since = 0;
    gcFunction()?.({ type: "minor", execution: "sync" });
  };
}
