// The shipped models have learned something: on held-out lines they never saw in training, run
// through the same ONNX path as any user's model and tokenized by the same tokenizer.json path,
// their loss is clearly below a unigram baseline that this test computes from the training set's
// token counts (test/fixtures/models, written by scripts/train/evaldata.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerJson, type TextTokenizer } from '../../../src/core';
import { openAttention, type OpenedAttention } from '../../../src/onnx/node/extractAttention';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { shippedModel, type ShippedModelName } from '../../../src/shared/shippedModels';
import { distClient, repoRoot } from '../onnx/ortHelpers';

const MODELS_DIR = path.join(repoRoot, 'media', 'models');
const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'models');

interface Unigram {
  /** Token counts of the training set, by id: the targets of each objective. */
  causal: number[];
  bidirectional: number[];
  /** Ids below this are special tokens ([PAD], [UNK], [CLS], [SEP], [MASK]); [MASK]'s id. */
  specials: number;
  mask: number;
  nCtx: number;
}

/** −log p of `target` under log-softmax of one row of logits. */
function nll(logits: Float32Array, row: number, vocab: number, target: number): number {
  const at = row * vocab;
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[at + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[at + v] - max);
  return Math.log(sum) + max - logits[at + target];
}

/** Add-one unigram log-probabilities from counts; specials get none where they are never targets. */
function unigram(counts: number[], zeroBelow: number): Float64Array {
  const c = Float64Array.from(counts, (x, i) => (i < zeroBelow ? 0 : x + 1));
  const total = c.reduce((a, b) => a + b, 0);
  return c.map((x) => Math.log(x / total));
}

describe('the shipped models against a unigram baseline on held-out text', function () {
  this.timeout(300_000);
  const lines = readFileSync(path.join(FIXTURES, 'heldout.txt'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const counts = JSON.parse(readFileSync(path.join(FIXTURES, 'unigram.json'), 'utf8')) as Unigram;
  const json = JSON.parse(readFileSync(path.join(MODELS_DIR, 'models.json'), 'utf8')) as unknown;
  let client: OrtWorkerClient;
  before(() => {
    client = distClient();
  });
  after(() => client.dispose());

  async function open(name: ShippedModelName): Promise<{ model: OpenedAttention; tokenizer: TextTokenizer }> {
    const m = shippedModel(json, name);
    const tokenizer = loadTokenizerJson(JSON.parse(readFileSync(path.join(MODELS_DIR, m.tokenizer), 'utf8')));
    const model = await openAttention(client, new Uint8Array(readFileSync(path.join(MODELS_DIR, m.onnx))), { threads: 2 });
    return { model, tokenizer };
  }

  /** Every line's ids, cut to the model's context. */
  function ids(tokenizer: TextTokenizer, line: string): number[] {
    return tokenizer.tokenize(line).map((t) => t.id ?? 0).slice(0, counts.nCtx);
  }

  async function logits(model: OpenedAttention, input: number[]): Promise<{ data: Float32Array; vocab: number }> {
    const out = (await model.fetch(input, ['logits'])).logits;
    assert.ok(out && out.type === 'float32' && out.dims.length === 3, 'logits [1, N, V]');
    return { data: out.data as Float32Array, vocab: out.dims[2] };
  }

  /**
   * Mean loss and unigram baseline over the held-out lines: `targets` says, for a line's ids, what
   * the model is given and which positions it must predict with which ids.
   */
  async function heldout(
    name: ShippedModelName, base: Float64Array, targets: (seq: number[]) => { input: number[]; predict: [position: number, id: number][] },
  ): Promise<{ loss: number; baseline: number; count: number }> {
    const { model, tokenizer } = await open(name);
    let loss = 0;
    let baseline = 0;
    let count = 0;
    try {
      for (const line of lines) {
        const { input, predict } = targets(ids(tokenizer, line));
        if (predict.length === 0) continue;
        const { data, vocab } = await logits(model, input);
        for (const [position, id] of predict) {
          loss += nll(data, position, vocab, id);
          baseline -= base[id];
          count++;
        }
      }
    } finally {
      await model.release();
    }
    const result = { loss: loss / count, baseline: baseline / count, count };
    console.log(`      ${name}: held-out loss ${result.loss.toFixed(3)} nats, unigram baseline ${result.baseline.toFixed(3)} nats (${count} targets, ${lines.length} lines)`);
    return result;
  }

  it('learned-causal predicts the next token better than token frequencies do', async () => {
    // Position i predicts token i + 1.
    const r = await heldout('learned-causal', unigram(counts.causal, 0), (seq) => ({
      input: seq,
      predict: seq.slice(1).map((id, i): [number, number] => [i, id]),
    }));
    assert.ok(r.loss < r.baseline - 0.5, `${r.loss} is not clearly below ${r.baseline}`);
  });

  it('learned-bidirectional fills in hidden characters better than token frequencies do', async () => {
    // Every seventh ordinary token is hidden, one fixed pattern: the same positions each run.
    const r = await heldout('learned-bidirectional', unigram(counts.bidirectional, counts.specials), (seq) => {
      const hidden = seq.map((id, i) => (id >= counts.specials && i % 7 === 3 ? i : -1)).filter((i) => i >= 0);
      return { input: seq.map((id, i) => (hidden.includes(i) ? counts.mask : id)), predict: hidden.map((i): [number, number] => [i, seq[i]]) };
    });
    assert.ok(r.loss < r.baseline - 0.3, `${r.loss} is not clearly below ${r.baseline}`);
  });
});
