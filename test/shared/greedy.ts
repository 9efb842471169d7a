// Greedy decoding done by the tests themselves, apart from the extension's ONNX code:
// onnxruntime-web loaded in this thread, the shipped causal model fed input_ids and
// attention_mask, the argmax of the last row of logits, stopping at the tokenizer's special
// tokens (read from its tokenizer.json) or when the model's positions are full.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadOrt } from '../../src/onnx/node/ortNode';

/** The folder of the shipped models, under the repository root. */
export function modelsDir(repoRoot: string): string {
  return path.join(repoRoot, 'media', 'models');
}

/** Ids the tokenizer marks special in its added_tokens. */
export function specialIds(repoRoot: string): Set<number> {
  const json = JSON.parse(readFileSync(path.join(modelsDir(repoRoot), 'tokenizer.json'), 'utf8')) as { added_tokens: { id: number; special: boolean }[] };
  return new Set(json.added_tokens.filter((t) => t.special).map((t) => t.id));
}

/** At most `count` new ids after `ids`, as learned-causal.onnx picks them greedily. */
export async function greedy(repoRoot: string, ids: number[], count: number, maxTokens: number): Promise<number[]> {
  const ort = loadOrt(path.join(repoRoot, 'dist'), 1);
  const special = specialIds(repoRoot);
  const session = await ort.InferenceSession.create(readFileSync(path.join(modelsDir(repoRoot), 'learned-causal.onnx')));
  const out: number[] = [];
  try {
    const seq = [...ids];
    while (out.length < count && seq.length < maxTokens) {
      const n = seq.length;
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(seq, BigInt), [1, n]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      };
      const logits = (await session.run(feeds, ['logits'])).logits;
      const v = logits.dims[2];
      const data = logits.data as Float32Array;
      let best = 0;
      for (let i = 1; i < v; i++) if (data[(n - 1) * v + i] > data[(n - 1) * v + best]) best = i;
      if (special.has(best)) break;
      seq.push(best);
      out.push(best);
    }
  } finally {
    await session.release();
  }
  return out;
}
