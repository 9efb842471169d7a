// Generate and Explore on the shipped causal model: the tokens generateAttention picks are those
// of a greedy decode the test does itself with onnxruntime-web (test/shared/greedy.ts: its own
// session, its own argmax loop), and the attention it returns is a plain runAttention over prompt + generated. Also its
// stops (an end-of-sequence token, the model's positions), cancellation, the models it refuses,
// and the command line's --generate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerJson, type TextTokenizer } from '../../../src/core';
import { generateAttention } from '../../../src/engine/generate';
import { runAttention, type ModelRequest } from '../../../src/engine/run';
import { OnnxCancelledError } from '../../../src/onnx/errors';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { shippedModel, type ShippedModelName } from '../../../src/shared/shippedModels';
import { assertFails, cli, flat } from '../cli/runCli';
import { greedy as greedyIds, specialIds } from '../../shared/greedy';
import { distClient, fixtureBytes, repoRoot } from '../onnx/ortHelpers';

const DIR = path.join(repoRoot, 'media', 'models');
const MODELS = JSON.parse(readFileSync(path.join(DIR, 'models.json'), 'utf8')) as unknown;
const tokenizer: TextTokenizer = loadTokenizerJson(JSON.parse(readFileSync(path.join(DIR, 'tokenizer.json'), 'utf8')));
/** The tokenizer's special tokens, read from its file: where the test's own decode stops. */
const SPECIAL = specialIds(repoRoot);

function request(name: ShippedModelName, text: string): ModelRequest {
  const m = shippedModel(MODELS, name);
  return {
    kind: 'model', model: new Uint8Array(readFileSync(path.join(DIR, m.onnx))), label: m.onnx, tokens: tokenizer.tokenize(text), maxTokens: m.maxTokens,
  };
}

const greedy = (ids: number[], count: number, maxTokens: number) => greedyIds(repoRoot, ids, count, maxTokens);

/** The prompt's ids as generation continues it: without the [SEP] the tokenizer appends. */
function promptIds(text: string): number[] {
  const tokens = tokenizer.tokenize(text);
  assert.equal(tokens[tokens.length - 1].text, '[SEP]');
  return tokens.slice(0, -1).map((t) => t.id ?? -1);
}

describe('Generate and Explore: the engine', function () {
  this.timeout(180_000);
  let client: OrtWorkerClient;
  before(() => {
    client = distClient();
  });
  after(() => client.dispose());
  const env = (signal?: AbortSignal) => ({ cores: 2, ort: () => client, signal });
  const decode = (ids: number[]) => tokenizer.decode(ids);

  for (const [text, count] of [['我喜欢', 8], ['无法打开文件', 5]] as const) {
    it(`continues ${text} with the tokens of a greedy decode, and its attention is a plain run over prompt + generated`, async () => {
      const steps: [number, number][] = [];
      const run = await generateAttention({ model: request('learned-causal', text), text, count, decode }, env(), (k, total) => steps.push([k, total]));
      const prompt = promptIds(text);
      const expected = await greedy(prompt, count, 128);
      assert.ok(expected.length > 0, 'the test decode generated something');
      assert.equal(run.generated, expected.length);
      assert.deepEqual(run.tokens.map((t) => t.id), [...prompt, ...expected]);
      assert.deepEqual(steps, Array.from({ length: count }, (_, i) => [i + 1, count]).slice(0, steps.length));
      assert.equal(run.stop.reason, expected.length === count ? 'count' : 'special');
      // The grown text: the prompt as written, then the continuation; each token's range holds its text.
      assert.ok(run.text.startsWith(text), run.text);
      const generated = run.tokens.slice(run.n - run.generated);
      assert.deepEqual(generated.map((t) => run.text.slice(t.start, t.end)), generated.map((t) => t.text));
      assert.deepEqual(generated.map((t) => t.text), expected.map((id) => decode([id])), 'one character a token, written as the tokenizer decodes it');
      assert.equal(run.text, text + expected.map((id) => decode([id])).join(''), 'Chinese grows without the decoder\'s spaces');
      // The attention over the whole: what runAttention gives for the same tokens.
      const plain = await runAttention({ ...request('learned-causal', text), tokens: run.tokens }, env());
      assert.equal(run.layers, plain.layers);
      assert.equal(run.heads, plain.heads);
      assert.equal(run.n, prompt.length + expected.length);
      assert.deepEqual(run.weights, plain.weights);
      // Causal: no token gives weight to a later one.
      const n = run.n;
      for (let m = 0; m < run.layers * run.heads; m++) {
        for (let q = 0; q < n; q++) for (let k = q + 1; k < n; k++) assert.equal(run.weights[(m * n + q) * n + k], 0);
      }
    });
  }

  it('stops at an end-of-sequence token: 我喜欢吃 ends at once', async () => {
    const text = '我喜欢吃';
    const expected = await greedy(promptIds(text), 5, 128);
    const run = await generateAttention({ model: request('learned-causal', text), text, count: 5, decode }, env());
    assert.deepEqual(expected, [], 'the test decode ends at once too');
    assert.equal(run.generated, 0);
    assert.equal(run.stop.reason, 'special');
    assert.ok(run.stop.reason === 'special' && SPECIAL.has(run.stop.id));
    assert.equal(run.text, text);
    assert.equal(run.n, promptIds(text).length);
  });

  it('stops when the model\'s positions are full', async () => {
    const text = '的文件'.repeat(50).slice(0, 123); // [CLS] + 123 characters = 124 tokens
    const run = await generateAttention({ model: request('learned-causal', text), text, count: 10, decode }, env());
    const expected = await greedy(promptIds(text), 10, 128);
    assert.equal(expected.length, 4, 'room for 4');
    assert.equal(run.generated, 4);
    assert.deepEqual(run.stop, { reason: 'context', maxTokens: 128 });
    assert.equal(run.n, 128);
    assert.deepEqual(run.tokens.slice(124).map((t) => t.id), expected);
    // A text that already fills every position leaves nothing to generate, and says so.
    const full = '无法打开文件'.repeat(22).slice(0, 127);
    await assert.rejects(
      generateAttention({ model: request('learned-causal', full), text: full, count: 3, decode }, env()),
      /reads at most 128 tokens \(its learned positions\); this text already has 128, which leaves no room to generate/,
    );
  });

  it('cancelled after the first step, rejects with the cancellation error and runs no further step', async () => {
    const abort = new AbortController();
    const steps: number[] = [];
    const started = performance.now();
    const pending = generateAttention({ model: request('learned-causal', '我喜欢'), text: '我喜欢', count: 20, decode }, env(abort.signal), (k) => {
      steps.push(k);
      if (k === 2) abort.abort(); // the first step is done; the second is about to run
    });
    await assert.rejects(pending, (e: unknown) => e instanceof OnnxCancelledError);
    const stepsAtReject = steps.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(steps, [1, 2], 'no step after the cancellation');
    assert.equal(steps.length, stepsAtReject);
    assert.ok(performance.now() - started < 30_000);
    // The worker is free: the next generation on the same client runs at once and completes.
    const again = await generateAttention({ model: request('learned-causal', '我喜欢'), text: '我喜欢', count: 2, decode }, env());
    assert.equal(again.generated, 2);
  });

  it('cancelled during a step, rejects the same way', async () => {
    const abort = new AbortController();
    const pending = generateAttention({ model: request('learned-causal', '我喜欢'), text: '我喜欢', count: 20, decode }, env(abort.signal), (k) => {
      if (k === 3) setTimeout(() => abort.abort(), 0); // while step 3's logits are computed
    });
    await assert.rejects(pending, (e: unknown) => e instanceof OnnxCancelledError);
  });

  it('refuses the bidirectional model: its attention is not causal', async () => {
    await assert.rejects(
      generateAttention({ model: request('learned-bidirectional', '我喜欢'), text: '我喜欢', count: 3, decode }, env()),
      /learned-bidirectional\.onnx is not a causal language model: its attention is not causal \(layer \d+, head \d+: token \d+ attends to the later token \d+\)/,
    );
  });

  it('refuses a model without logits', async () => {
    const tokens = [5, 6, 7].map((id) => ({ text: String(id), start: 0, end: 0, id }));
    await assert.rejects(
      generateAttention({ model: { kind: 'model', model: fixtureBytes('encoder_tiny.onnx'), label: 'encoder_tiny.onnx', tokens }, text: '', count: 3, decode: () => 'x' }, env()),
      /encoder_tiny\.onnx is not a causal language model: it has no "logits" output to choose the next token from \(its outputs: hidden\)/,
    );
  });
});

describe('Generate and Explore: run --generate', function () {
  this.timeout(120_000);
  interface Body { tokens: { text: string; start: number; end: number; id: number }[]; layers: { heads: number; weights: number[][][] }[]; generated: Body['tokens']; stop: string }

  it('--layer learned-causal writes the run --model JSON over prompt + generated, plus the generated tokens', async () => {
    const r = cli('run', '--layer', 'learned-causal', '--text', '我喜欢', '--generate', '6', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const body = JSON.parse(r.stdout) as Body;
    const expected = await greedy(promptIds('我喜欢'), 6, 128);
    assert.deepEqual(body.generated.map((t) => t.id), expected);
    assert.deepEqual(Object.keys(body.generated[0]), Object.keys(body.tokens[1]), 'the same token object shape');
    assert.deepEqual(body.tokens.slice(-expected.length), body.generated);
    assert.equal(body.stop, 'count');
    const n = body.tokens.length;
    assert.equal(n, promptIds('我喜欢').length + expected.length);
    assert.equal(body.layers.length, 4);
    for (const layer of body.layers) assert.equal(flat(layer.weights).length, layer.heads * n * n);
  });

  it('--model with --tokenizer gives the same', () => {
    const a = cli('run', '--layer', 'learned-causal', '--text', '无法打开文件', '--generate', '3');
    const b = cli('run', '--model', path.join(DIR, 'learned-causal.onnx'), '--tokenizer', path.join(DIR, 'tokenizer.json'), '--text', '无法打开文件', '--generate', '3');
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const [ja, jb] = [a, b].map((r) => JSON.parse(r.stdout) as Body);
    assert.deepEqual(jb.generated, ja.generated);
    assert.equal(jb.generated.length, 3);
    assert.deepEqual(jb.layers.map((l) => flat(l.weights)), ja.layers.map((l) => flat(l.weights)));
  });

  it('refuses what it cannot do, in one line', () => {
    for (const bad of ['0', '-2', '1.5', 'ten', '']) {
      assertFails(cli('run', '--layer', 'learned-causal', '--text', '我', `--generate=${bad}`), 2, /--generate must be a positive integer/);
    }
    assertFails(cli('run', '--text', '我喜欢', '--generate', '3'), 2, /--generate needs a causal language model/);
    assertFails(cli('run', '--layer', 'random', '--text', '我喜欢', '--generate', '3'), 2, /--generate needs a causal language model/);
    assertFails(cli('run', '--layer', 'learned-causal', '--ids', '2,5,6', '--generate', '3'), 2, /--generate writes the new tokens as text/);
    assertFails(cli('run', '--layer', 'learned-bidirectional', '--text', '我喜欢', '--generate', '3'), 1, /is not a causal language model: its attention is not causal/);
  });
});
