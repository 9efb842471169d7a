// `run --model model.onnx`: the attention of a user's ONNX transformer, every layer in graph
// order, from the shell: {"tokens": […], "layers": [{"node", "heads", "weights": [H][N][N]}]}.

import { readFileSync } from 'node:fs';
import { InputError, type Token } from '../core';
import { UsageError } from './errors';
import { emit, nested } from './io';

export interface ModelArgs {
  model: string;
  /** Tokens from --text with --tokenizer; or ids from --ids, shown as their numbers. */
  tokens: Token[];
  format: 'json';
  threads: number;
  out?: string;
}

export async function modelCommand(args: ModelArgs): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(args.model);
  } catch (e) {
    throw new UsageError(`cannot read ${args.model}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 'file');
  }
  const ids = args.tokens.map((t) => t.id ?? 0);
  // Loaded only here: onnxruntime starts a worker thread and reads 14 MB of WASM.
  const { OrtWorkerClient } = await import('../onnx/node/ortWorkerClient');
  const { extractAttention } = await import('../onnx/node/extractAttention');
  const { OnnxError } = await import('../onnx/errors');
  const client = new OrtWorkerClient();
  try {
    const layers = await extractAttention(client, bytes, ids, { threads: args.threads });
    const body = {
      tokens: args.tokens,
      layers: layers.map((l) => ({
        node: l.nodeName,
        heads: l.heads,
        // [H][N][N] as nested rows: each head is queries × keys.
        weights: Array.from({ length: l.heads }, (_, h) =>
          nested(l.weights.subarray(h * l.queries * l.keys, (h + 1) * l.queries * l.keys), l.queries, l.keys)),
      })),
    };
    emit(JSON.stringify(body) + '\n', args.out);
  } catch (e) {
    // The model's problems (corrupt, fused attention, missing inputs) are input errors: one line, exit 1.
    if (e instanceof OnnxError) throw new InputError('model', `${args.model}: ${e.message}`);
    throw e;
  } finally {
    client.dispose();
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
