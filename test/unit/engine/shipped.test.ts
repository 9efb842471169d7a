// The models shipped in media/models/, through the same paths as any user's model: the engine
// entry point and the command line's --layer, and step by step from each model's own q, k, v
// landing on the attention the run reads out of the graph.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerJson } from '../../../src/core';
import { modelSteps, runAttention, type ModelRequest } from '../../../src/engine/run';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { shippedModel, type ShippedModelName } from '../../../src/shared/shippedModels';
import { assertFails, cli, flat } from '../cli/runCli';
import { distClient, repoRoot } from '../onnx/ortHelpers';

const DIR = path.join(repoRoot, 'media', 'models');
const MODELS = JSON.parse(readFileSync(path.join(DIR, 'models.json'), 'utf8')) as {
  models: Record<ShippedModelName, { architecture: { layers: number; heads: number } }>;
};

function request(name: ShippedModelName, text: string): ModelRequest {
  const m = shippedModel(MODELS, name);
  const tokenizer = loadTokenizerJson(JSON.parse(readFileSync(path.join(DIR, m.tokenizer), 'utf8')));
  return { kind: 'model', model: new Uint8Array(readFileSync(path.join(DIR, m.onnx))), label: m.label, tokens: tokenizer.tokenize(text) };
}

describe('shipped models', function () {
  this.timeout(120_000);
  let client: OrtWorkerClient;
  before(() => {
    client = distClient();
  });
  after(() => client.dispose());
  const env = () => ({ cores: 2, ort: () => client });

  for (const name of ['learned-bidirectional', 'learned-causal'] as const) {
    it(`${name}: every layer × head on 我喜欢吃苹果, and each head step by step equals it`, async () => {
      const req = request(name, '我喜欢吃苹果');
      const run = await runAttention(req, env());
      const { layers, heads } = MODELS.models[name].architecture;
      assert.equal(run.layers, layers);
      assert.equal(run.heads, heads);
      assert.ok([...'我喜欢吃苹果'].every((c) => run.tokens.some((t) => t.text === c)), 'one token per character');
      assert.equal(run.model, req, 'the run can be taken apart: the model gives its q, k and v');
      const causal = name === 'learned-causal';
      const n = run.n;
      for (let l = 0; l < layers; l++) {
        for (let h = 0; h < heads; h++) {
          const steps = await modelSteps(req, l, h, { scale: true, causal }, env());
          const base = (l * heads + h) * n * n;
          const ran = run.weights.subarray(base, base + n * n);
          let worst = 0;
          for (let i = 0; i < n * n; i++) worst = Math.max(worst, Math.abs(steps.weights[i] - ran[i]));
          assert.ok(worst < 1e-5, `layer ${l + 1}, head ${h + 1}: steps differ from the run by ${worst}`);
        }
      }
    });
  }

  it('run --layer writes the run --model JSON shape', () => {
    const r = cli('run', '--text', '我喜欢吃苹果', '--layer', 'learned-bidirectional', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { tokens: { text: string }[]; layers: { node: string; heads: number; weights: number[][][] }[] };
    const { layers, heads } = MODELS.models['learned-bidirectional'].architecture;
    assert.equal(body.layers.length, layers);
    const n = body.tokens.length;
    for (const layer of body.layers) {
      assert.match(layer.node, /Softmax/);
      assert.equal(layer.heads, heads);
      assert.equal(flat(layer.weights).length, heads * n * n);
    }
    assert.deepEqual(body.tokens.filter((t) => /[\u4e00-\u9fff]/.test(t.text)).map((t) => t.text), [...'我喜欢吃苹果']);
  });

  it('refuses a text longer than the model\'s learned positions, saying how long it may be', () => {
    const long = '我喜欢吃苹果'.repeat(30); // 180 characters, 182 tokens with [CLS] and [SEP]
    assertFails(cli('run', '--text', long, '--layer', 'learned-causal'), 1, /learned-causal\.onnx reads at most 128 tokens \(its learned positions\); this text has 182; use a shorter text$/);
  });

  it('run --layer refuses what it does not know, in one line', () => {
    assertFails(cli('run', '--text', 'x', '--layer', 'gpt-4'), 2, /--layer must be random, learned-bidirectional, learned-causal; got "gpt-4"/);
    assertFails(cli('run', '--text', 'x', '--layer', 'learned-causal', '--model', 'm.onnx'), 2, /give either --layer or --model, not both/);
  });
});
