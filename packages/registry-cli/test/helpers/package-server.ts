import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * A real HTTP server on 127.0.0.1 serving `{root}/{tag}/{filename}` under `/{mode}/{tag}/{filename}`.
 * The mode picks a behaviour of real hosts gone wrong:
 * ok (Range honoured), redirect (302 to ok), tampered (one byte flipped), truncated (half the body,
 * then the connection drops; every time), flaky (truncated once, then ok with Range: resume),
 * missing (404), slow (headers, then silence), oversize (more bytes than the index declares),
 * drip (honours Range but drops every connection after 1,500 bytes), gated (headers, then the body
 * only once `openGate()` is called), noranges (ignores Range: always the whole file), loop (302 to
 * itself, forever), reuploaded (a file re-uploaded while it downloads: the first response drops
 * after half the body, and every request sees a new ETag, so a resume's If-Range no longer matches
 * and gets the whole file).
 * Every file has an ETag (its sha256) and a Last-Modified, and `If-Range` is honoured (RFC 9110): a
 * resume whose validator no longer matches gets the whole file.
 */
export interface PackageServer {
  url: string;
  requests: { mode: string; method: string; range: string | undefined; ifRange: string | undefined }[];
  /** Lets the held bodies of `gated` requests (and later ones) go. */
  openGate(): void;
  close(): Promise<void>;
}

const DRIP_BYTES = 1500;

export async function startPackageServer(root: string): Promise<PackageServer> {
  const requests: PackageServer["requests"] = [];
  const flakyServed = new Set<string>();
  const uploads = new Map<string, number>();
  const sockets = new Set<import("node:net").Socket>();

  let gateOpen = false;
  const gateWaiters: (() => void)[] = [];
  const validators = (body: Buffer) => ({ etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`, "last-modified": new Date(0).toUTCString() });

  const serveRange = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const { etag } = validators(body);
    const ifRange = req.headers["if-range"] as string | undefined;
    const range = ifRange !== undefined && ifRange !== etag ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { ...validators(body), "content-length": body.length - start, "content-range": `bytes ${start}-${body.length - 1}/${body.length}`, "accept-ranges": "bytes" });
      res.end(req.method === "HEAD" ? undefined : body.subarray(start));
      return;
    }
    res.writeHead(200, { ...validators(body), "content-length": body.length, "accept-ranges": "bytes" });
    res.end(req.method === "HEAD" ? undefined : body);
  };

  const server: Server = createServer(async (req, res) => {
    const [, mode = "", tag = "", filename = ""] = (req.url ?? "").split("/").map(decodeURIComponent);
    requests.push({ mode, method: req.method ?? "", range: req.headers.range, ifRange: req.headers["if-range"] as string | undefined });
    if (mode === "missing") return void res.writeHead(404).end("not found");
    if (mode === "loop") return void res.writeHead(302, { location: req.url ?? "/" }).end();
    if (mode === "redirect") return void res.writeHead(302, { location: `/ok/${encodeURIComponent(tag)}/${encodeURIComponent(filename)}` }).end();
    let body: Buffer;
    try {
      body = await readFile(join(root, tag, filename));
    } catch {
      return void res.writeHead(404).end("not found");
    }
    switch (mode) {
      case "ok":
        return serveRange(req, res, body);
      case "tampered": {
        const copy = Buffer.from(body);
        const at = Math.floor(copy.length / 2);
        copy[at] = copy[at]! ^ 0xff;
        return serveRange(req, res, copy);
      }
      case "truncated":
        res.writeHead(200, { "content-length": body.length });
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      case "flaky":
        if (!flakyServed.has(filename)) {
          flakyServed.add(filename);
          res.writeHead(200, { "content-length": body.length });
          // Drop the connection only after the client had time to store the first half.
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 200));
          return;
        }
        return serveRange(req, res, body);
      case "slow":
        res.writeHead(200, { "content-length": body.length });
        res.flushHeaders();
        return; // never sends the body
      case "oversize":
        res.writeHead(200, { "content-length": body.length + 4096 });
        res.end(Buffer.concat([body, Buffer.alloc(4096, 1)]));
        return;
      case "reuploaded": {
        const upload = (uploads.get(filename) ?? 0) + 1;
        uploads.set(filename, upload);
        const ifRange = req.headers["if-range"];
        const fresh = { etag: `"upload-${upload}"`, "content-length": body.length };
        if (upload === 1) {
          res.writeHead(200, fresh);
          return void res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 200));
        }
        // The resume's validator is an older upload's: the whole (new) file, as RFC 9110 If-Range says.
        if (ifRange === undefined && req.headers.range !== undefined) return void res.writeHead(400).end("range without If-Range");
        res.writeHead(200, fresh);
        return void res.end(body);
      }
      case "drip": {
        const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
        const end = Math.min(body.length, start + DRIP_BYTES);
        const headers = { ...validators(body), "content-length": body.length - start };
        if (start > 0) res.writeHead(206, { ...headers, "content-range": `bytes ${start}-${body.length - 1}/${body.length}` });
        else res.writeHead(200, headers);
        if (end === body.length) return void res.end(body.subarray(start));
        // A clean close (FIN) after the bytes, so the client receives all of them before the drop.
        res.write(body.subarray(start, end), () => res.socket?.end());
        return;
      }
      case "gated":
        res.writeHead(200, { ...validators(body), "content-length": body.length });
        res.flushHeaders();
        if (!gateOpen) await new Promise<void>((resolve) => gateWaiters.push(resolve));
        return void res.end(body);
      case "noranges":
        res.writeHead(200, { "content-length": body.length });
        return void res.end(body);
      default:
        res.writeHead(400).end("unknown mode");
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openGate: () => {
      gateOpen = true;
      for (const w of gateWaiters.splice(0)) w();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
