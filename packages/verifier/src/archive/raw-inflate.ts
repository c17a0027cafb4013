import zlib from "node:zlib";

/**
 * Raw deflate (RFC 1951) decoding, pushed in order. Inflated bytes go to `onData` as slices of one
 * reused output buffer, valid only during the call: a consumer that keeps bytes copies them.
 *
 * Why not a zlib stream: Node's zlib streams allocate a fresh output buffer for every chunk they fill
 * (lib/zlib.js, `processCallback`), and the dead buffers wait for V8's external-memory GC. Inflating
 * 790 MB that way kept 30–70 MB of them resident. Here the stream's own native handle is driven with
 * `writeSync`, the call Node's `zlib.*Sync` functions make (lib/zlib.js, `processChunkSync`), on the
 * calling thread; minizlib (node-tar, npm) relies on the same binding. Where a Node.js lacks it,
 * `createRawInflater` falls back to the stream, which only costs memory.
 */
export interface RawInflater {
  /** True once the deflate stream's end was decoded: later input is not deflate data. */
  readonly ended: boolean;
  /** Inflates from `input`; resolves with the bytes consumed (fewer than given once `ended`). Rejects with zlib's error. */
  write(input: Buffer): Promise<number>;
  /** Ends the input: rejects (code Z_BUF_ERROR) when the deflate stream is incomplete. */
  finish(): Promise<void>;
  close(): void;
}

type OnData = (chunk: Buffer) => void;

/** The binding behind a zlib stream: `writeSync(flush, in, inOff, inLen, out, outOff, outLen)` fills `writeState` [availOut, availIn]. */
interface ZlibHandle {
  writeSync(flush: number, input: Buffer, inOff: number, inLen: number, out: Buffer, outOff: number, outLen: number): void;
}
interface ZlibInternals {
  _handle?: ZlibHandle;
  _writeState?: Uint32Array;
}

const EMPTY = Buffer.alloc(0);

/** The reused-buffer inflater where this Node.js has the binding, else the stream one. `forceStream` is for tests. */
export function createRawInflater(onData: OnData, chunkSize: number, forceStream = false): RawInflater {
  const stream = zlib.createInflateRaw({ chunkSize });
  const internals = stream as unknown as ZlibInternals;
  if (!forceStream && typeof internals._handle?.writeSync === "function" && internals._writeState instanceof Uint32Array) {
    return new HandleInflater(stream, internals._handle, internals._writeState, onData, chunkSize);
  }
  return new StreamInflater(stream, onData);
}

class HandleInflater implements RawInflater {
  ended = false;
  private closed = false;
  private readonly out: Buffer;

  constructor(
    private readonly stream: zlib.InflateRaw,
    private readonly handle: ZlibHandle,
    private readonly state: Uint32Array,
    private readonly onData: OnData,
    chunkSize: number,
  ) {
    this.out = Buffer.allocUnsafe(chunkSize);
    // A zlib error destroys the stream (lib/zlib.js, zlibOnError) and sets `errored` at once; the
    // 'error' event that follows would otherwise be uncaught.
    stream.on("error", () => {});
  }

  async write(input: Buffer): Promise<number> {
    return this.run(zlib.constants.Z_NO_FLUSH, input);
  }

  async finish(): Promise<void> {
    if (!this.ended) this.run(zlib.constants.Z_FINISH, EMPTY);
  }

  close(): void {
    this.closed = true;
    this.stream.destroy();
  }

  /** Inflates until the output has room left (all input taken, or the deflate stream ended); returns the input consumed. */
  private run(flush: number, input: Buffer): number {
    let offset = 0;
    // `onData` may close this (the consumer stopped): the closed handle must not be written again.
    while (!this.ended && !this.closed) {
      const availIn = input.length - offset;
      this.handle.writeSync(flush, input, offset, availIn, this.out, 0, this.out.length);
      if (this.stream.errored) throw this.stream.errored;
      const availOut = this.state[0]!;
      const inLeft = this.state[1]!;
      if (availOut < this.out.length) this.onData(this.out.subarray(0, this.out.length - availOut));
      offset += availIn - inLeft;
      if (availOut === 0) continue;
      // Room left in the output yet input unconsumed: the deflate stream ended inside this input.
      if (inLeft > 0) this.ended = true;
      break;
    }
    return offset;
  }
}

/** The zlib stream, for a Node.js whose binding differs: correct, but each output chunk is a fresh buffer. */
class StreamInflater implements RawInflater {
  ended = false;
  private error: Error | null = null;
  private waiting: (() => void) | null = null;

  constructor(
    private readonly stream: zlib.InflateRaw,
    onData: OnData,
  ) {
    stream.on("data", onData);
    stream.on("end", () => (this.ended = true));
    stream.on("error", (error) => {
      this.error = error;
      this.waiting?.();
    });
  }

  async write(input: Buffer): Promise<number> {
    const before = this.stream.bytesWritten;
    await new Promise<void>((resolve) => {
      this.waiting = resolve;
      this.stream.write(input, () => resolve());
    });
    this.waiting = null;
    if (this.error) throw this.error;
    const consumed = this.stream.bytesWritten - before;
    if (consumed < input.length) this.ended = true;
    return consumed;
  }

  async finish(): Promise<void> {
    if (this.ended || this.error) {
      if (this.error) throw this.error;
      return;
    }
    await new Promise<void>((resolve) => {
      this.stream.once("end", resolve);
      this.stream.once("error", () => resolve());
      this.stream.once("close", resolve);
      this.stream.end();
    });
    if (this.error) throw this.error;
  }

  close(): void {
    this.stream.destroy();
    // A write in progress may never call back once the stream is destroyed.
    this.waiting?.();
  }
}
