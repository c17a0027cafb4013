// Signature checking in the install benchmark: the engine package installed from an index read by
// URL with trust configured (`--trust root.json`: TUF refresh of root, timestamp, snapshot and
// targets, the index checked against its signed target, the download bound to its signed length
// and sha256) against the same install from an unsigned copy of the index, rounds alternating, each
// into an emptied engines folder (so each signed round refreshes from nothing). Target: at most 1.05x.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, timedCli } from "./install-kit.mjs";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Lays out `{cache}/signed/engines.json` + `metadata/` (real `trust init` and `sign`) and `{cache}/plain/engines.json`. */
function layOut(cache, registry) {
  for (const dir of ["signed", "plain", "keys"]) rmSync(join(cache, dir), { recursive: true, force: true });
  mkdirSync(join(cache, "signed"));
  mkdirSync(join(cache, "plain"));
  copyFileSync(registry, join(cache, "signed", "engines.json"));
  copyFileSync(registry, join(cache, "plain", "engines.json"));
  const run = (args) => execFileSync(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", "inherit"] });
  run(["trust", "init", "--metadata-dir", join(cache, "signed", "metadata"), "--keys-dir", join(cache, "keys")]);
  run(["sign", "--registry", join(cache, "signed", "engines.json"), "--keys-dir", join(cache, "keys")]);
  writeFileSync(join(cache, "root.json"), readFileSync(join(cache, "signed", "metadata", "1.root.json")));
}

/** Median ms of the plain and the signed install over `rounds` (after one uncounted warm-up pair), and their ratio. */
export async function measureTrust({ cache, baseUrl, registry, rounds, installArgs }) {
  layOut(cache, registry);
  const out = join(cache, "out");
  const plain = [];
  const signed = [];
  for (let round = 0; round <= rounds; round++) {
    rmSync(out, { recursive: true, force: true });
    const p = await timedCli(installArgs(`${baseUrl}/plain/engines.json`, out));
    rmSync(out, { recursive: true, force: true });
    const s = await timedCli([...installArgs(`${baseUrl}/signed/engines.json`, out), "--trust", join(cache, "root.json")]);
    if (round === 0) continue;
    plain.push(p);
    signed.push(s);
  }
  rmSync(out, { recursive: true, force: true });
  const plainMs = Math.round(median(plain));
  const signedMs = Math.round(median(signed));
  return { plainMs, signedMs, ratio: Number((signedMs / plainMs).toFixed(3)) };
}
