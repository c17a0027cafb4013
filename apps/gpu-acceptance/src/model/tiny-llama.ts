import { seededRandom } from "@baiengine/verifier";
import { type GgufTensor, type GgufValue, writeGguf } from "./gguf-writer.js";

/**
 * A tiny random-weight llama model (a few hundred KB) with a SentencePiece-style vocabulary:
 * <unk>, <s>, </s>, the 256 byte-fallback tokens and a few words, so any prompt tokenizes.
 */
export function tinyLlamaGguf(): Buffer {
  const nEmbd = 64;
  const nHead = 4;
  const nFf = 128;
  const nLayer = 2;
  // Distinct pieces only: llama.cpp asserts that every token text is unique.
  const words = [...new Set(["▁", "▁the", "▁a", "▁hello", "▁world", "▁is", "▁of", "▁and", "▁to", "▁in", ..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => `▁${c}`), ..."abcdefghijklmnopqrstuvwxyz".split("")])];
  const tokens = ["<unk>", "<s>", "</s>", ...Array.from({ length: 256 }, (_, i) => `<0x${i.toString(16).toUpperCase().padStart(2, "0")}>`), ...words];
  const tokenType = tokens.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
  const scores = tokens.map((_, i) => (i < 259 ? 0 : -(i - 259)));
  const nVocab = tokens.length;

  const rand = seededRandom(42);
  const weights = (dims: number[]) => Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rand() - 0.5) * 0.1);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const tensors: GgufTensor[] = [
    { name: "token_embd.weight", dims: [nEmbd, nVocab], data: weights([nEmbd, nVocab]) },
    { name: "output_norm.weight", dims: [nEmbd], data: ones(nEmbd) },
    { name: "output.weight", dims: [nEmbd, nVocab], data: weights([nEmbd, nVocab]) },
  ];
  for (let i = 0; i < nLayer; i++) {
    const p = `blk.${i}`;
    tensors.push(
      { name: `${p}.attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${p}.attn_q.weight`, dims: [nEmbd, nEmbd], data: weights([nEmbd, nEmbd]) },
      { name: `${p}.attn_k.weight`, dims: [nEmbd, nEmbd], data: weights([nEmbd, nEmbd]) },
      { name: `${p}.attn_v.weight`, dims: [nEmbd, nEmbd], data: weights([nEmbd, nEmbd]) },
      { name: `${p}.attn_output.weight`, dims: [nEmbd, nEmbd], data: weights([nEmbd, nEmbd]) },
      { name: `${p}.ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) },
      { name: `${p}.ffn_gate.weight`, dims: [nEmbd, nFf], data: weights([nEmbd, nFf]) },
      { name: `${p}.ffn_down.weight`, dims: [nFf, nEmbd], data: weights([nFf, nEmbd]) },
      { name: `${p}.ffn_up.weight`, dims: [nEmbd, nFf], data: weights([nEmbd, nFf]) },
    );
  }
  const metadata: Record<string, GgufValue> = {
    "general.architecture": { type: "string", value: "llama" },
    "general.name": { type: "string", value: "baiengine tiny random llama" },
    "general.alignment": { type: "u32", value: 32 },
    "general.file_type": { type: "u32", value: 0 },
    "llama.context_length": { type: "u32", value: 512 },
    "llama.embedding_length": { type: "u32", value: nEmbd },
    "llama.block_count": { type: "u32", value: nLayer },
    "llama.feed_forward_length": { type: "u32", value: nFf },
    "llama.attention.head_count": { type: "u32", value: nHead },
    "llama.attention.head_count_kv": { type: "u32", value: nHead },
    "llama.rope.dimension_count": { type: "u32", value: nEmbd / nHead },
    "llama.attention.layer_norm_rms_epsilon": { type: "f32", value: 1e-5 },
    "llama.vocab_size": { type: "u32", value: nVocab },
    "tokenizer.ggml.model": { type: "string", value: "llama" },
    "tokenizer.ggml.tokens": { type: "string[]", value: tokens },
    "tokenizer.ggml.scores": { type: "f32[]", value: scores },
    "tokenizer.ggml.token_type": { type: "i32[]", value: tokenType },
    "tokenizer.ggml.bos_token_id": { type: "u32", value: 1 },
    "tokenizer.ggml.eos_token_id": { type: "u32", value: 2 },
    "tokenizer.ggml.unknown_token_id": { type: "u32", value: 0 },
    "tokenizer.ggml.add_bos_token": { type: "bool", value: true },
  };
  return writeGguf(metadata, tensors);
}
