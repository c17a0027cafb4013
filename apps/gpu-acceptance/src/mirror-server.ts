import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

/** A static file server on 127.0.0.1 for `{root}/{tag}/{file}`, as a GitHub release lays files out. */
export interface MirrorServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` read-only on a free loopback port: GET and HEAD of plain files two levels down, 404 for anything else. */
export async function startMirrorServer(root: string): Promise<MirrorServer> {
  const server = createServer(async (req, res) => {
    const parts = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname).split("/").filter(Boolean);
    const safe = parts.length === 2 && parts.every((p) => p !== "." && p !== ".." && !p.includes("\\"));
    const file = safe ? path.join(root, ...parts) : null;
    const st = file ? await stat(file).catch(() => null) : null;
    if (!file || !st?.isFile() || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-length": st.size, "content-type": "application/octet-stream" });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
