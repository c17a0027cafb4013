import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A real HTTP proxy process on 127.0.0.1 (npm's `proxy`), and the requests it forwarded so far. */
export interface ProxyProcess {
  url: string;
  /** `CONNECT host:port` and `GET http://...` lines, as the proxy saw them. */
  log: () => string[];
  stop: () => Promise<void>;
}

export function startProxy(): Promise<ProxyProcess> {
  const script = fileURLToPath(new URL("./proxy-process.mjs", import.meta.url));
  // Started from the package folder, so `proxy` resolves from this package's devDependencies.
  const child: ChildProcess = spawn(process.execPath, [script], { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout!.on("data", (data: Buffer) => {
      buffered += data.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const line of parts) {
        const port = /^listening (\d+)$/.exec(line)?.[1];
        if (port) {
          resolve({
            url: `http://127.0.0.1:${port}`,
            log: () => [...lines],
            stop: () => new Promise<void>((done) => {
              child.once("exit", () => done());
              child.kill();
            }),
          });
        } else lines.push(line);
      }
    });
    child.once("exit", (code) => reject(new Error(`the proxy process exited with ${code}`)));
  });
}
