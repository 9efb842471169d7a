// `run --model model.onnx`: the attention of a user's ONNX transformer, every layer in graph
// order, from the shell, through runAttention as the extension runs it.
//   json: {"tokens": […], "layers": [{"node", "heads", "kv_heads", "weights": [H][N][N]}]}
//         (kv_heads: the key/value heads the query heads share; equal to heads when none are shared);
//         with --generate K over prompt + generated tokens, plus "generated" (those tokens) and
//         "stop" (why it ended)
//   npy:  F.npy, float32 [L, H, N, N], and the tokens in F.tokens.json

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkRunMemory, InputError, type Token } from '../core';
import { npyTokensFile } from '../shared/npy';
import type { GeneratedRun } from '../engine/generate';
import type { AttentionRun } from '../engine/run';
import { attention, generation } from './attention';
import { UsageError } from './errors';
import { emit, jsonLine, nestedJson, writeNpy } from './io';
import { MAX_MEMORY_FLAG } from './options';

export interface ModelArgs {
  model: string;
  /** Tokens from --text with --tokenizer; or ids from --ids, shown as their numbers. */
  tokens: Token[];
  format: 'json' | 'npy';
  threads: number;
  /** Required for npy, and ending in .npy. */
  out?: string;
  /** Bytes the run may take (--max-memory). */
  maxMemory: number;
  /** The most tokens the model reads, when known (a shipped model, --layer). */
  maxTokens?: number;
  /** `--generate K`: continue the text by at most K tokens first (needs the text and its tokenizer's decode). */
  generate?: { count: number; text: string; decode(ids: number[]): string };
}

export async function modelCommand(args: ModelArgs): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.model);
  } catch (e) {
    throw new UsageError(`cannot read ${args.model}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 'file');
  }
  const run = await runModel(args, bytes);
  if (args.format === 'npy') {
    const out = args.out as string;
    writeNpy(out, run.weights, [run.layers, run.heads, run.n, run.n]); // [L, H, N, N]
    await emit([JSON.stringify(run.tokens), '\n'], npyTokensFile(out));
    return;
  }
  // A generated run: the same JSON over prompt + generated, and the generated tokens themselves.
  const extra = 'generated' in run ? { generated: run.tokens.slice(run.n - run.generated), stop: run.stop.reason } : {};
  await emit(jsonLine({ tokens: run.tokens, layers: layersJson(run), ...extra }), args.out);
}

/** [{"node", "heads", "kv_heads", "weights": [H][N][N]}] per layer, as JSON chunks: each head is queries × keys. */
export function* layersJson(run: AttentionRun): Generator<string> {
  const size = run.n * run.n;
  yield '[';
  for (let l = 0; l < run.layers; l++) {
    const kvHeads = run.kvHeads?.[l] ?? run.heads;
    yield `${l > 0 ? ',' : ''}{"node":${JSON.stringify(run.nodes?.[l] ?? '')},"heads":${run.heads},"kv_heads":${kvHeads},"weights":[`;
    for (let h = 0; h < run.heads; h++) {
      if (h > 0) yield ',';
      yield* nestedJson(run.weights, run.n, run.n, (l * run.heads + h) * size);
    }
    yield ']}';
  }
  yield ']';
}

async function runModel(args: ModelArgs, bytes: Uint8Array): Promise<AttentionRun | GeneratedRun> {
  const { OnnxError } = await import('../onnx/errors');
  try {
    const dir = path.dirname(args.model);
    const beside = async (file: string) => (existsSync(path.join(dir, file)) ? new Uint8Array(readFileSync(path.join(dir, file))) : undefined);
    const request = { kind: 'model', model: bytes, label: path.basename(args.model), tokens: args.tokens, maxTokens: args.maxTokens, beside } as const;
    // The heads are known only once a two-token run has counted them: refuse there, before the full run.
    const chooseLayers = async (layers: number, heads: number, n: number) => {
      checkRunMemory({ n, heads, layers, dModel: 0 }, args.maxMemory, MAX_MEMORY_FLAG);
      return undefined;
    };
    if (args.generate) return await generation({ model: request, ...args.generate }, args.threads, chooseLayers);
    return await attention(request, args.threads, chooseLayers);
  } catch (e) {
    // The model's problems (corrupt, fused attention, missing inputs) are input errors: one line, exit 1.
    if (e instanceof OnnxError) throw new InputError('model', `${args.model}: ${e.message}`);
    throw e;
  }
}

/** `--ids 1,2,3`: token ids typed by hand, each shown as its number. */
export function tokensFromIds(value: string): Token[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`--ids must be comma-separated non-negative integers, got "${value}"`);
  }
  return parts.map((p) => ({ text: p, start: 0, end: 0, id: Number(p) }));
}
