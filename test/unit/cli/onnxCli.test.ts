// The command line's ONNX paths as a user runs them: `case --engine onnx` against the core, and
// `run --model` against PyTorch's own attention for the committed fixture models.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertFails, cli, CORE_FIXTURES, flat, maxDiff, ROOT } from './runCli';

const ONNX_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'onnx');

describe('command line: ONNX', function () {
  this.timeout(60_000);

  const cases = readdirSync(CORE_FIXTURES).filter((f) => f.endsWith('.json'));
  for (const file of cases) {
    const fixture = JSON.parse(readFileSync(path.join(CORE_FIXTURES, file), 'utf8'));
    if (fixture.mask === 'padding' || fixture.keyPadding) continue; // the export has none and causal
    it(`case ${file} --engine onnx agrees with --engine core within 1e-5`, () => {
      const core = cli('case', path.join(CORE_FIXTURES, file), '--engine', 'core');
      const onnx = cli('case', path.join(CORE_FIXTURES, file), '--engine', 'onnx');
      assert.equal(onnx.status, 0, onnx.stderr);
      const a = JSON.parse(core.stdout);
      const b = JSON.parse(onnx.stdout);
      assert.ok(maxDiff(flat(a.weights), flat(b.weights)) < 1e-5);
      const out = flat(a.output);
      const scale = Math.max(1, ...out.map(Math.abs));
      assert.ok(maxDiff(out, flat(b.output)) / scale < 1e-5);
    });
  }

  it('refuses a padding mask on the onnx engine in one line', () => {
    const padded = cases.find((f) => JSON.parse(readFileSync(path.join(CORE_FIXTURES, f), 'utf8')).mask === 'padding');
    assert.ok(padded, 'a padding fixture exists');
    const r = cli('case', path.join(CORE_FIXTURES, padded), '--engine', 'onnx');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^attention-explorer: the onnx engine exports masks none and causal/);
  });

  const expected = JSON.parse(readFileSync(path.join(ONNX_FIXTURES, 'models.json'), 'utf8'));
  for (const model of Object.keys(expected.models)) {
    it(`run --model ${model} --ids matches PyTorch's attention within 1e-4, layer 0 first`, () => {
      const r = cli('run', '--model', path.join(ONNX_FIXTURES, model), '--ids', expected.ids.join(','));
      assert.equal(r.status, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.deepEqual(body.tokens.map((t: { id: number }) => t.id), expected.ids);
      assert.equal(body.layers.length, expected.models[model].layers.length);
      body.layers.forEach((layer: { node: string; heads: number; weights: unknown }, i: number) => {
        assert.equal(layer.heads, expected.heads);
        assert.match(layer.node, /Softmax/);
        assert.ok(maxDiff(flat(layer.weights), expected.models[model].layers[i]) < 1e-4, `layer ${i}`);
      });
    });
  }

  it('run --model with --text and --tokenizer keeps the tokens with their ranges', () => {
    const r = cli('run', '--model', path.join(ONNX_FIXTURES, 'gpt_tiny.onnx'), '--text', '我喜欢吃苹果',
      '--tokenizer', path.join(CORE_FIXTURES, 'tokenizers', 'wordpiece.json'));
    assert.equal(r.status, 0, r.stderr);
    const body = JSON.parse(r.stdout);
    const chars = body.tokens.filter((t: { special?: boolean }) => !t.special);
    assert.deepEqual(chars.map((t: { text: string }) => t.text), [...'我喜欢吃苹果']);
    assert.deepEqual(chars.map((t: { start: number }) => t.start), [0, 1, 2, 3, 4, 5]);
    const n = body.tokens.length;
    assert.equal(flat(body.layers[0].weights).length, body.layers[0].heads * n * n);
  });

  it('reports a corrupt model, a missing file and bad ids in one line each', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-onnx-'));
    const bad = path.join(dir, 'bad.onnx');
    writeFileSync(bad, 'not a model at all');
    for (const [args, status, pattern] of [
      [['run', '--model', bad, '--ids', '1,2'], 1, /bad\.onnx: not an ONNX model/],
      [['run', '--model', path.join(dir, 'none.onnx'), '--ids', '1'], 2, /cannot read .*none\.onnx: no such file/],
      [['run', '--model', bad, '--ids', '1,x'], 2, /--ids must be comma-separated/],
      [['run', '--model', bad], 2, /--model needs --text/],
    ] as const) {
      assertFails(cli(...args), status, pattern);
    }
  });
});
