import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join, normalize } from "node:path";

/**
 * A static web server on 127.0.0.1, as a registry is hosted: every file under `root` at its path
 * (`/registry/engines.json`, `/registry/metadata/timestamp.json`, `/releases/{tag}/{filename}`),
 * with a strong ETag (the body's sha256) and Last-Modified, answering a matching `If-None-Match`
 * or `If-Modified-Since` with 304 (RFC 9110 §13.1). `root` can be changed between requests (a
 * mirror replaced), `endless` paths stream bytes forever (an endless-data attack), `longer` paths
 * send the file plus extra bytes, and `down()` refuses every connection (offline).
 */
export interface SiteServer {
  url: string;
  root: string;
  requests: { path: string; status: number }[];
  endless: Set<string>;
  /** Paths served with this many extra bytes after the file (and a Content-Length that says so). */
  longer: Map<string, number>;
  close(): Promise<void>;
}

export async function startSiteServer(root: string): Promise<SiteServer> {
  const sockets = new Set<Socket>();
  const site: SiteServer = { url: "", root, requests: [], endless: new Set(), longer: new Map(), close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const log = (status: number) => site.requests.push({ path, status });
    if (site.endless.has(path)) {
      log(200);
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once("drain", pump);
      };
      res.on("close", () => res.removeAllListeners("drain"));
      return pump();
    }
    const file = join(site.root, normalize(path).replace(/^(\.\.[/\\])+/, ""));
    let body: Buffer;
    let mtime: Date;
    try {
      body = await readFile(file);
      mtime = (await stat(file)).mtime;
    } catch {
      log(404);
      return void res.writeHead(404).end("not found");
    }
    const extra = site.longer.get(path) ?? 0;
    if (extra > 0) body = Buffer.concat([body, Buffer.alloc(extra, 0x41)]);
    const etag = `"${createHash("sha256").update(body).digest("hex")}"`;
    const lastModified = new Date(Math.floor(mtime.getTime() / 1000) * 1000).toUTCString();
    const inm = req.headers["if-none-match"];
    const ims = req.headers["if-modified-since"];
    if ((inm !== undefined && inm === etag) || (inm === undefined && ims !== undefined && ims === lastModified)) {
      log(304);
      return void res.writeHead(304, { etag, "last-modified": lastModified }).end();
    }
    log(200);
    res.writeHead(200, { etag, "last-modified": lastModified, "content-length": body.length });
    res.end(body);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return site;
}
