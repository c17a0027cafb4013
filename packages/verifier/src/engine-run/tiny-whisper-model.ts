/** Deterministic random numbers in [0, 1) (mulberry32), so the model is the same bytes every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ggml's `GGML_FILE_MAGIC` ("ggml" as a little-endian uint32). */
export const GGML_FILE_MAGIC = 0x67676d6c;

/** ggml types as the legacy format's tensor headers name them (ggml.h). */
const F32 = 0;
const F16 = 1;

/**
 * The hyper-parameters of the generated model. Token ids are fixed in whisper.cpp (`token_eot` =
 * 50256 … `token_beg` = 50363), so the vocabulary is an English-only model's 51864 entries; the
 * file lists only the byte tokens and the loader names the others itself ("adding N extra tokens").
 * Four layers each side: whisper.cpp calls that the tiny model.
 */
const H = { nVocab: 51864, nAudioCtx: 1500, nAudioState: 64, nAudioHead: 1, nAudioLayer: 4, nTextCtx: 64, nTextState: 64, nTextHead: 1, nTextLayer: 4, nMels: 80, ftype: F16 };
const N_FFT = 201;

/** IEEE 754 half precision of `value` (round to nearest; the generated weights are small and finite). */
const F32_SCRATCH = new Float32Array(1);
const U32_SCRATCH = new Uint32Array(F32_SCRATCH.buffer);

function toHalf(value: number): number {
  F32_SCRATCH[0] = value;
  const x = U32_SCRATCH[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // below half's normal range: zero is close enough for random weights
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(mant / 0x2000);
}

class ModelWriter {
  private readonly chunks: Buffer[] = [];
  constructor(private readonly random: () => number) {}

  int32(...values: number[]): void {
    const b = Buffer.alloc(4 * values.length);
    for (const [i, v] of values.entries()) b.writeInt32LE(v, 4 * i);
    this.chunks.push(b);
  }

  bytes(b: Buffer): void {
    this.chunks.push(b);
  }

  /** One tensor: n_dims, name length, type, ne[], name, data (f32: `fill`, else random; f16: random). */
  tensor(name: string, ne: number[], type: number, fill?: number): void {
    const count = ne.reduce((a, b) => a * b, 1);
    const nameBytes = Buffer.from(name, "utf8");
    this.int32(ne.length, nameBytes.length, type, ...ne);
    this.bytes(nameBytes);
    const data = Buffer.alloc(count * (type === F16 ? 2 : 4));
    for (let i = 0; i < count; i++) {
      const value = fill ?? (this.random() - 0.5) * 0.2;
      if (type === F16) data.writeUInt16LE(toHalf(value), 2 * i);
      else data.writeFloatLE(value, 4 * i);
    }
    this.bytes(data);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The tensors of one attention block (self or cross) of width `n`, under `prefix` (`encoder.blocks.0.attn`). */
function attention(w: ModelWriter, prefix: string, ln: string, n: number): void {
  w.tensor(`${ln}.weight`, [n], F32, 1);
  w.tensor(`${ln}.bias`, [n], F32, 0);
  w.tensor(`${prefix}.query.weight`, [n, n], F16);
  w.tensor(`${prefix}.query.bias`, [n], F32, 0);
  w.tensor(`${prefix}.key.weight`, [n, n], F16);
  w.tensor(`${prefix}.value.weight`, [n, n], F16);
  w.tensor(`${prefix}.value.bias`, [n], F32, 0);
  w.tensor(`${prefix}.out.weight`, [n, n], F16);
  w.tensor(`${prefix}.out.bias`, [n], F32, 0);
}

function mlp(w: ModelWriter, block: string, n: number): void {
  w.tensor(`${block}.mlp_ln.weight`, [n], F32, 1);
  w.tensor(`${block}.mlp_ln.bias`, [n], F32, 0);
  w.tensor(`${block}.mlp.0.weight`, [n, 4 * n], F16);
  w.tensor(`${block}.mlp.0.bias`, [4 * n], F32, 0);
  w.tensor(`${block}.mlp.2.weight`, [4 * n, n], F16);
  w.tensor(`${block}.mlp.2.bias`, [n], F32, 0);
}

/**
 * A tiny whisper.cpp model with random weights (~7 MB), in the legacy ggml format as whisper.cpp's
 * `whisper_model_load` reads it (src/whisper.cpp, v1.9.1): the magic, eleven int32 hyper-parameters,
 * the mel filter bank (n_mel, n_fft, floats), the vocabulary (count, then length-prefixed bytes), then
 * every tensor the model declares (names from src/whisper-arch.h), each as n_dims, name length,
 * type, ne[0..n_dims), name and data. It transcribes noise: the server runs, the words are random.
 */
export function tinyWhisperModel(seed = 42): Buffer {
  const w = new ModelWriter(seededRandom(seed));
  w.int32(GGML_FILE_MAGIC, H.nVocab, H.nAudioCtx, H.nAudioState, H.nAudioHead, H.nAudioLayer, H.nTextCtx, H.nTextState, H.nTextHead, H.nTextLayer, H.nMels, H.ftype);
  w.int32(H.nMels, N_FFT);
  const filters = Buffer.alloc(H.nMels * N_FFT * 4);
  for (let m = 0; m < H.nMels; m++) for (let f = 0; f < N_FFT; f++) filters.writeFloatLE(Math.abs(f - 2.5 * m) < 2 ? 0.01 : 0, 4 * (m * N_FFT + f));
  w.bytes(filters);
  const tokens = Array.from({ length: 256 }, (_, i) => Buffer.from([i]));
  w.int32(tokens.length);
  for (const token of tokens) {
    w.int32(token.length);
    w.bytes(token);
  }
  const a = H.nAudioState;
  w.tensor("encoder.positional_embedding", [a, H.nAudioCtx], F32);
  w.tensor("encoder.conv1.weight", [3, H.nMels, a], F16);
  w.tensor("encoder.conv1.bias", [1, a], F32, 0);
  w.tensor("encoder.conv2.weight", [3, a, a], F16);
  w.tensor("encoder.conv2.bias", [1, a], F32, 0);
  w.tensor("encoder.ln_post.weight", [a], F32, 1);
  w.tensor("encoder.ln_post.bias", [a], F32, 0);
  for (let i = 0; i < H.nAudioLayer; i++) {
    mlp(w, `encoder.blocks.${i}`, a);
    attention(w, `encoder.blocks.${i}.attn`, `encoder.blocks.${i}.attn_ln`, a);
  }
  const t = H.nTextState;
  w.tensor("decoder.positional_embedding", [t, H.nTextCtx], F32);
  w.tensor("decoder.token_embedding.weight", [t, H.nVocab], F16);
  w.tensor("decoder.ln.weight", [t], F32, 1);
  w.tensor("decoder.ln.bias", [t], F32, 0);
  for (let i = 0; i < H.nTextLayer; i++) {
    mlp(w, `decoder.blocks.${i}`, t);
    attention(w, `decoder.blocks.${i}.attn`, `decoder.blocks.${i}.attn_ln`, t);
    attention(w, `decoder.blocks.${i}.cross_attn`, `decoder.blocks.${i}.cross_attn_ln`, t);
  }
  return w.finish();
}
