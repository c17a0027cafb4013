import type { FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";

/**
 * Appends a response body to the partial file as fast as it arrives, whatever the pace of the reader
 * of the download: when the connection drops, undici destroys the body stream and whatever it still
 * buffered is gone, so bytes are only safe once written. Writes are queued in arrival order; the
 * reader follows `written` (the file's size) and reads the bytes back from the page cache.
 */
export class BodyPump {
  /** Bytes in the partial file (earlier ones included). */
  written: number;
  done = false;
  error: Error | null = null;
  private queued: number;
  private chain: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];

  /**
   * @param start bytes already in the file
   * @param limit the size the file may reach; a body going past it fails with `tooLong()`
   * @param onWritten called after each write with the file's size (progress)
   * @param skip leading body bytes to drop: the file already has them (a server that ignores Range)
   */
  constructor(
    private readonly body: Readable,
    handle: FileHandle,
    start: number,
    limit: number,
    tooLong: () => Error,
    onWritten: (size: number) => void,
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
      this.chain = this.chain.then(
        () =>
          handle.write(chunk).then(() => {
            this.written += chunk.length;
            onWritten(this.written);
            this.wake();
          }),
      ).catch((error: Error) => this.finish(error));
    });
    body.on("end", () => void this.chain.then(() => this.finish(null)));
    body.on("error", (error: Error) => void this.chain.then(() => this.finish(error)));
    // A body destroyed without 'error' or 'end' (a dropped connection, in some undici versions).
    body.on("close", () => void this.chain.then(() => this.finish(body.errored ?? (body.readableEnded ? null : new Error("the connection closed before the body ended")))));
  }

  /** Resolves at the next write or at the end. */
  changed(): Promise<void> {
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops reading (the reader gave up) and waits for queued writes, so the file can be closed. */
  async stop(): Promise<void> {
    if (!this.done) this.body.destroy();
    await this.chain.catch(() => {});
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
