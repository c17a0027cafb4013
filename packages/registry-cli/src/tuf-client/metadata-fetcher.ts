import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { BaseFetcher } from "tuf-js";
import { DownloadHTTPError, DownloadLengthMismatchError } from "tuf-js/dist/error.js";
import { getFollowingRedirects } from "../http/http-get.js";

/** What went wrong fetching one metadata file, kept for the refusal line (tuf-js wraps some failures in text-only errors). */
export interface FetchFailure {
  url: string;
  /** The metadata file's name (`2.root.json`, `timestamp.json`, `3.snapshot.json`). */
  file: string;
  kind: "too-large" | "http" | "network";
  /** The cap for `too-large`, bytes; the HTTP status for `http`. */
  value: number;
  error: Error;
}

const fileOf = (url: string) => decodeURIComponent(new URL(url).pathname.split("/").pop() ?? url);

/**
 * tuf-js's fetcher over the install's HTTP client (`http/http-get.ts`: the same redirects,
 * silence timeout and network rules as package downloads) and over `file://` folders (offline
 * mirrors, `import`'s `incoming/metadata/`). Metadata is read into memory up to tuf-js's cap for the
 * file and no further: a longer body is refused as it arrives (TUF spec 1.0 §5.2: endless data).
 * A 404 is tuf-js's DownloadHTTPError, which ends its search for newer root versions.
 */
export class RegistryMetadataFetcher extends BaseFetcher {
  constructor(
    private readonly timeoutMs: number,
    /** Told of each failure as it happens. */
    private readonly onFailure: (failure: FetchFailure) => void = () => {},
  ) {
    super();
  }

  override async downloadBytes(url: string, maxLength: number): Promise<Buffer> {
    try {
      return url.startsWith("file:") ? await this.readFile(url, maxLength) : await this.get(url, maxLength);
    } catch (error) {
      const failure = error instanceof DownloadLengthMismatchError ? { kind: "too-large" as const, value: maxLength } : error instanceof DownloadHTTPError ? { kind: "http" as const, value: error.statusCode } : { kind: "network" as const, value: 0 };
      this.onFailure({ url, file: fileOf(url), ...failure, error: error as Error });
      throw error;
    }
  }

  /** Whole-stream interface of BaseFetcher (used by `downloadTarget` only): the same capped bytes as one chunk. */
  async fetch(url: string): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const bytes = await this.downloadBytes(url, Number.MAX_SAFE_INTEGER);
    return new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)) as Uint8Array<ArrayBuffer>);
        controller.close();
      },
    });
  }

  private async readFile(url: string, maxLength: number): Promise<Buffer> {
    const handle = await open(fileURLToPath(url), "r").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new DownloadHTTPError(`${url}: not found`, 404);
      throw error;
    });
    try {
      const { size } = await handle.stat();
      if (size > maxLength) throw new DownloadLengthMismatchError(`${url}: ${size} bytes, more than the ${maxLength} allowed`);
      const buffer = Buffer.alloc(size);
      await handle.read(buffer, 0, size, 0);
      return buffer;
    } finally {
      await handle.close();
    }
  }

  private async get(url: string, maxLength: number): Promise<Buffer> {
    const response = await getFollowingRedirects(url, { headers: { "user-agent": "baiengine-registry-cli" }, timeoutMs: this.timeoutMs });
    if (response.statusCode !== 200) {
      response.body.destroy();
      throw new DownloadHTTPError(`${url}: HTTP ${response.statusCode}`, response.statusCode);
    }
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > maxLength) {
        response.body.destroy();
        throw new DownloadLengthMismatchError(`${url}: more than the ${maxLength} bytes allowed`);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, length);
  }
}
