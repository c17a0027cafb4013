import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HttpSmoke } from "@baiengine/profiles";
import { afterAll, describe, expect, it } from "vitest";
import { answerShapeProblem, expandServerArgs, GGML_FILE_MAGIC, NATIVE_RUNNER, runEngine, runHttpSmoke, startEngine, tinyWhisperModel, toneWav } from "../src/index.js";

const work = mkdtempSync(join(tmpdir(), "verifier-engine-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A script the tests start as an "engine" with Node (a real process, run as startEngine runs servers). */
function script(name: string, source: string): string {
  const file = join(work, name);
  writeFileSync(file, source);
  return file;
}

/** Whether a process id is alive (signal 0). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Reads the generated model back as whisper.cpp's whisper_model_load does: header, filters, vocabulary, tensors. */
function readWhisperModel(b: Buffer): { hparams: number[]; nMel: number; nFft: number; vocab: number; tensors: Map<string, { ne: number[]; type: number }> } {
  let o = 0;
  const i32 = () => {
    const v = b.readInt32LE(o);
    o += 4;
    return v;
  };
  expect(b.readUInt32LE(0)).toBe(GGML_FILE_MAGIC);
  o = 4;
  const hparams = Array.from({ length: 11 }, i32);
  const nMel = i32();
  const nFft = i32();
  o += nMel * nFft * 4;
  const vocab = i32();
  for (let i = 0; i < vocab; i++) {
    const length = i32();
    o += length;
  }
  const tensors = new Map<string, { ne: number[]; type: number }>();
  while (o < b.length) {
    const nDims = i32();
    const length = i32();
    const type = i32();
    const ne = Array.from({ length: nDims }, i32);
    const name = b.toString("utf8", o, o + length);
    o += length;
    o += ne.reduce((x, y) => x * y, 1) * (type === 1 ? 2 : 4);
    tensors.set(name, { ne, type });
  }
  expect(o).toBe(b.length);
  return { hparams, nMel, nFft, vocab, tensors };
}

describe("generated files", () => {
  it("writes a tiny whisper.cpp model in the format whisper_model_load reads, the same bytes every time", () => {
    const model = tinyWhisperModel();
    expect(model.length).toBeLessThan(10 * 1024 * 1024);
    expect(tinyWhisperModel().equals(model)).toBe(true);
    const read = readWhisperModel(model);
    // n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype
    expect(read.hparams).toEqual([51864, 1500, 64, 1, 4, 64, 64, 1, 4, 80, 1]);
    expect([read.nMel, read.nFft, read.vocab]).toEqual([80, 201, 256]);
    // Every tensor the loader creates for 4 + 4 layers (7 + 15 per encoder block, 4 + 24 per decoder block), none else.
    expect(read.tensors.size).toBe(7 + 4 * 15 + 4 + 4 * 24);
    expect(read.tensors.get("decoder.token_embedding.weight")).toEqual({ ne: [64, 51864], type: 1 });
    expect(read.tensors.get("encoder.conv1.weight")).toEqual({ ne: [3, 80, 64], type: 1 });
    expect(read.tensors.get("decoder.blocks.3.cross_attn.value.bias")).toEqual({ ne: [64], type: 0 });
  });

  it("writes a 16 kHz mono 16-bit PCM WAVE file", () => {
    const wav = toneWav(1);
    expect(wav.toString("ascii", 0, 4) + wav.toString("ascii", 8, 16)).toBe("RIFFWAVEfmt ");
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual([1, 1, 16000, 16]);
    expect(wav.readUInt32LE(40)).toBe(32000);
    expect(wav.length).toBe(44 + 32000);
  });

  it("replaces {model}, {host} and {port}, and refuses {model} without a model", () => {
    expect(expandServerArgs(["-m", "{model}", "--host", "{host}", "--port={port}"], { model: "/m.bin", host: "127.0.0.1", port: 8080 })).toEqual(["-m", "/m.bin", "--host", "127.0.0.1", "--port=8080"]);
    expect(() => expandServerArgs(["{model}"], { model: null, host: "h", port: 1 })).toThrow(/no model was generated/);
  });
});

describe("starting an engine: one way for smoke and probe", () => {
  it("gives it an empty environment and its own working directory", async () => {
    const env = script("env.mjs", "console.log(JSON.stringify({ env: process.env, cwd: process.cwd() }));\n");
    const cwd = mkdtempSync(join(work, "cwd-"));
    const run = await runEngine(NATIVE_RUNNER, process.execPath, [env], { cwd, temp: work, timeoutMs: 30_000 });
    expect(run.failure).toBeNull();
    expect(JSON.parse(run.stdout)).toEqual({ env: {}, cwd });
  });

  it("stops a server that does not finish in time, and names a binary that cannot start", async () => {
    const hang = script("hang.mjs", "console.log('started'); setInterval(() => {}, 1000);\n");
    const started = startEngine(NATIVE_RUNNER, process.execPath, [hang], { cwd: work, temp: work });
    const run = await runEngine(NATIVE_RUNNER, process.execPath, [hang], { cwd: work, temp: work, timeoutMs: 500 });
    expect([run.timedOut, run.failure]).toEqual([true, "did not finish within 0.5 s"]);
    await started.stop();
    expect(started.exit()?.signal).toBe("SIGTERM");
    const missing = await runEngine(NATIVE_RUNNER, join(work, "no-such-server"), [], { cwd: work, temp: work, timeoutMs: 5000 });
    expect(missing.failure).toBe("could not start: no such file (ENOENT)");
  });
});

/** An HTTP smoke against a Node server script that answers as `answers` says. */
function nodeSmoke(serverScript: string, overrides: Partial<HttpSmoke> = {}): HttpSmoke {
  return {
    kind: "http",
    args: [serverScript, "--port", "{port}", "-m", "{model}"],
    model: "tiny-whisper-model",
    health: { path: "/health", status: 200 },
    request: { method: "POST", path: "/inference", body: { kind: "multipart", fields: { response_format: "json" }, files: { file: "tone-wav" } } },
    answer: { status: 200, json: { text: "string" } },
    readySeconds: 20,
    requestSeconds: 20,
    ...overrides,
  };
}

const SERVER = `
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
const model = readFileSync(process.argv[process.argv.indexOf("-m") + 1]);
console.error("loaded a model of " + model.length + " bytes, magic " + model.readUInt32LE(0).toString(16));
createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d.toString("latin1")));
  req.on("end", () => {
    if (req.url === "/health") return res.end(JSON.stringify({ status: "ok" }));
    const wav = body.includes("RIFF") && body.includes("WAVE") && body.includes('name="response_format"');
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(process.env.SHAPE === "bad" || !wav ? { words: [] } : { text: " hi" }));
  });
}).listen(port, "127.0.0.1");
`;

describe("the http smoke kind", () => {
  it("starts the server with the generated model, sends the WAV as multipart, checks the answer's shape, and stops it", async () => {
    const server = script("server.mjs", SERVER);
    const ok = await runHttpSmoke(NATIVE_RUNNER, process.execPath, nodeSmoke(server), work);
    expect(ok.problem, ok.log).toBeNull();
    expect(JSON.parse(ok.answer!)).toEqual({ text: " hi" });
    expect(ok.log).toContain("magic 67676d6c");
  });

  it("fails a server that never gets healthy within its time limit, with its log, and stops it", async () => {
    const server = script(
      "never-healthy.mjs",
      `import { createServer } from "node:http";\nconsole.error("pid " + process.pid);\ncreateServer((req, res) => { res.statusCode = 503; res.end('{"status":"loading model"}'); }).listen(Number(process.argv[process.argv.indexOf("--port") + 1]), "127.0.0.1");\n`,
    );
    const t0 = Date.now();
    const failed = await runHttpSmoke(NATIVE_RUNNER, process.execPath, nodeSmoke(server, { readySeconds: 2 }), work);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(failed.timedOut).toBe(true);
    expect(failed.problem).toBe("not healthy within 2 s: /health did not answer 200 in time (last answer 503)");
    const pid = Number(/pid (\d+)/.exec(failed.log)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });

  it("fails an answer without the expected field, and a server that exits", async () => {
    const server = script("bad-shape.mjs", SERVER.replace("process.env.SHAPE", '"bad"'));
    const bad = await runHttpSmoke(NATIVE_RUNNER, process.execPath, nodeSmoke(server), work);
    expect([bad.problem, bad.timedOut]).toEqual(["the answer's text is missing, not string", false]);
    const exits = script("exits.mjs", "console.error('cannot load the model'); process.exit(3);\n");
    const gone = await runHttpSmoke(NATIVE_RUNNER, process.execPath, nodeSmoke(exits), work);
    expect(gone.problem).toBe("not healthy within 20 s: exited (3) before /health answered 200");
    expect(gone.log).toContain("cannot load the model");
  });

  it("checks JSON field types", () => {
    expect(answerShapeProblem({ text: "x", n: 1 }, { text: "string", n: "number" })).toBeNull();
    expect(answerShapeProblem([], { text: "string" })).toBe("the answer is not a JSON object");
    expect(answerShapeProblem({ data: null }, { data: "array" })).toBe("the answer's data is null, not array");
  });
});
