import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
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
 * Servers that say "later" or "not like that": busy (503 with `Retry-After: 1`, twice per file, then
 * ok), ratelimited (429 with `Retry-After` as an HTTP date 2 s after its `Date`, once per file),
 * longwait (503 asking for an hour, always), nohead (405 to HEAD, ok to GET). A private mirror:
 * `private-<mode>` answers 401 unless the request carries MIRROR_USER:MIRROR_TOKEN as Basic auth or
 * MIRROR_TOKEN as a Bearer token, then behaves as `<mode>`.
 * Every file has an ETag (its sha256) and a Last-Modified, and `If-Range` is honoured (RFC 9110): a
 * resume whose validator no longer matches gets the whole file.
 */
export const MIRROR_USER = "mirror-user";
export const MIRROR_TOKEN = "s3cret-T0ken-4242";
const BASIC = `Basic ${Buffer.from(`${MIRROR_USER}:${MIRROR_TOKEN}`).toString("base64")}`;
export interface PackageServer {
  url: string;
  requests: { mode: string; method: string; range: string | undefined; ifRange: string | undefined; authorization: string | undefined }[];
  /** Lets the held bodies of `gated` requests (and later ones) go. */
  openGate(): void;
  close(): Promise<void>;
}

const DRIP_BYTES = 1500;

export async function startPackageServer(root: string, options: { tls?: { key: string; cert: string } } = {}): Promise<PackageServer> {
  const requests: PackageServer["requests"] = [];
  const flakyServed = new Set<string>();
  const uploads = new Map<string, number>();
  const asked = new Map<string, number>();
  const count = (key: string) => {
    const n = (asked.get(key) ?? 0) + 1;
    asked.set(key, n);
    return n;
  };
  const sockets = new Set<import("node:net").Socket>();

  let gateOpen = false;
  const gateWaiters: (() => void)[] = [];
  const validators = (body: Buffer) => ({ etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`, "last-modified": new Date(0).toUTCString() });

  const serveRange = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const { etag } = validators(body);
    const ifRange = req.headers["if-range"] as string | undefined;
    const range = ifRange !== undefined && ifRange !== etag ? null : /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { ...validators(body), "content-length": end + 1 - start, "content-range": `bytes ${start}-${end}/${body.length}`, "accept-ranges": "bytes" });
      res.end(req.method === "HEAD" ? undefined : body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { ...validators(body), "content-length": body.length, "accept-ranges": "bytes" });
    res.end(req.method === "HEAD" ? undefined : body);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const [, path = "", tag = "", filename = ""] = (req.url ?? "").split("/").map(decodeURIComponent);
    requests.push({ mode: path, method: req.method ?? "", range: req.headers.range, ifRange: req.headers["if-range"] as string | undefined, authorization: req.headers.authorization });
    let mode = path;
    if (mode.startsWith("private-")) {
      const auth = req.headers.authorization;
      if (auth !== BASIC && auth !== `Bearer ${MIRROR_TOKEN}`) return void res.writeHead(401, { "www-authenticate": 'Basic realm="mirror"' }).end("unauthorized");
      mode = mode.slice("private-".length);
    }
    if (mode === "nohead" && req.method === "HEAD") return void res.writeHead(405, { allow: "GET" }).end();
    if (mode === "longwait") return void res.writeHead(503, { "retry-after": "3600" }).end("come back in an hour");
    if (mode === "busy" && count(`busy/${filename}`) <= 2) return void res.writeHead(503, { "retry-after": "1" }).end("busy");
    if (mode === "ratelimited" && count(`ratelimited/${filename}`) === 1) {
      const now = Date.now();
      return void res.writeHead(429, { date: new Date(now).toUTCString(), "retry-after": new Date(now + 2000).toUTCString() }).end("slow down");
    }
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
      case "nohead":
      case "busy":
      case "ratelimited":
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
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
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
