import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { youngGcPacer } from "./young-gc.js";

/**
 * Unwritten bytes above which the body is paused, and below which it resumes. While it is paused
 * Node stops reading the socket and the kernel's socket buffers hold the rest, so memory stays
 * bounded however much faster the network is than the disk writes (whose thread pool inflate
 * shares). Without it a loopback download queued 255 MB of a 276 MB package in memory.
 */
const HIGH_WATER_BYTES = 1 << 20;
const LOW_WATER_BYTES = 256 << 10;

/**
 * Appends a response body to the partial file as fast as the disk takes it, whatever the pace of the
 * reader of the download: when the connection drops, the body stream is destroyed and whatever it
 * still buffered is gone, so bytes are only safe once written (at most HIGH_WATER_BYTES plus the
 * stream's buffer are not yet). Chunks that arrive during a write are written together next (one
 * writev), in arrival order; the reader follows `written` (the file's size) and reads the bytes back
 * from the page cache. A connection that closes before the body's end is a short body, not an error:
 * the download sees fewer bytes than it expects and resumes.
 */
export class BodyPump {
  /** Bytes in the partial file (earlier ones included). */
  written: number;
  done = false;
  error: Error | null = null;
  /** Bytes received (written or waiting in `pending`). */
  private queued: number;
  private pending: Buffer[] = [];
  private writing: Promise<void> | null = null;
  /** How the body ended (null: complete), once it has; the pump finishes when the writes have too. */
  private ended: { error: Error | null } | null = null;
  private waiters: (() => void)[] = [];
  /** Socket reads are fresh buffers: once written they are garbage, collected young (young-gc.ts). */
  private readonly collect = youngGcPacer();

  /**
   * @param start bytes already in the file
   * @param limit the size the file may reach; a body going past it fails with `tooLong()`
   * @param onWritten called after each write with the file's size (progress)
   * @param skip leading body bytes to drop: the file already has them (a server that ignores Range)
   */
  constructor(
    private readonly body: Readable,
    private readonly handle: FileHandle,
    start: number,
    limit: number,
    tooLong: () => Error,
    private readonly onWritten: (size: number) => void,
    skip = 0,
  ) {
    this.written = start;
    this.queued = start;
    let toSkip = skip;
    body.on("data", (data: Buffer) => {
      if (this.error || this.done) return;
      const chunk = toSkip > 0 ? data.subarray(Math.min(toSkip, data.length)) : data;
      toSkip -= data.length - chunk.length;
      if (chunk.length === 0) return;
      if (this.queued + chunk.length > limit) {
        this.finish(tooLong());
        body.destroy();
        return;
      }
      this.queued += chunk.length;
      this.pending.push(chunk);
      this.flush();
      this.pace();
    });
    body.on("end", () => this.settle(null));
    body.on("error", (error: Error) => this.settle(isPrematureClose(error) ? null : error));
    // A body destroyed without 'error' or 'end' (a dropped connection).
    body.on("close", () => this.settle(body.errored && !isPrematureClose(body.errored) ? body.errored : null));
  }

  /** Resolves at the next write or at the end. */
  changed(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Pauses the body while too much is unwritten, resumes it once the writes have caught up. */
  private pace(): void {
    if (this.done) return;
    const unwritten = this.queued - this.written;
    if (!this.body.isPaused() && unwritten > HIGH_WATER_BYTES) this.body.pause();
    else if (this.body.isPaused() && unwritten < LOW_WATER_BYTES) this.body.resume();
  }

  /** Stops reading (the reader gave up) and waits for the received bytes to be written, so the file can be closed. */
  async stop(): Promise<void> {
    if (!this.done) this.body.destroy();
    while (this.writing) await this.writing;
  }

  /** Writes everything pending in one writev, then whatever arrived meanwhile. */
  private flush(): void {
    if (this.writing || this.pending.length === 0 || this.error) return;
    const batch = this.pending.splice(0);
    this.writing = writeAll(this.handle, batch).then(
      (bytes) => {
        this.collect(bytes);
        this.written += bytes;
        this.onWritten(this.written);
        this.writing = null;
        this.pace();
        this.wake();
        this.flush();
        this.settle(undefined);
      },
      (error: Error) => {
        this.writing = null;
        this.finish(error);
        this.body.destroy();
      },
    );
  }

  /** Records how the body ended (`undefined`: nothing new) and finishes once every received byte is written. */
  private settle(error: Error | null | undefined): void {
    if (error !== undefined && this.ended === null) this.ended = { error };
    if (this.ended !== null && !this.writing && this.pending.length === 0) this.finish(this.ended.error);
  }

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Appends every buffer (a short write continues where it stopped); returns the bytes written. */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<number> {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  let rest = buffers;
  for (let done = 0; done < total; ) {
    const { bytesWritten } = await handle.writev(rest);
    if (bytesWritten === 0) throw new Error(`could not append to the partial file (${total - done} bytes left)`);
    done += bytesWritten;
    rest = dropBytes(rest, bytesWritten);
  }
  return total;
}

function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let left = count;
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (left >= b.length) left -= b.length;
    else {
      out.push(left > 0 ? b.subarray(left) : b);
      left = 0;
    }
  }
  return out;
}

/**
 * Node's error for a response whose connection closed before its end: ECONNRESET with no `syscall`
 * (lib/_http_client.js destroys the response with `ConnResetException('aborted')`); a socket's own
 * reset names its syscall (`read`).
 */
function isPrematureClose(error: Error): boolean {
  const e = error as NodeJS.ErrnoException;
  return e.code === "ECONNRESET" && e.syscall === undefined;
}
