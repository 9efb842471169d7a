// The command line's ONNX paths as a user runs them: `case --engine onnx` against the core, and
// `run --model` against PyTorch's own attention for the committed fixture models.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
      body.layers.forEach((layer: { node: string; heads: number; kv_heads: number; weights: unknown }, i: number) => {
        assert.deepEqual(Object.keys(layer), ['node', 'heads', 'kv_heads', 'weights']);
        assert.equal(layer.heads, expected.heads);
        // The fixture models give every query head its own key and value.
        assert.equal(layer.kv_heads, layer.heads, 'kv_heads equals heads when none are shared');
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

  it('run --model --format npy writes float32 [L, H, N, N] equal to the json weights, tokens beside it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-npy-'));
    try {
      const args = ['run', '--model', path.join(ONNX_FIXTURES, 'gpt_tiny.onnx'), '--ids', expected.ids.join(',')];
      const body = JSON.parse(cli(...args).stdout);
      const out = path.join(dir, 'gpt.npy');
      const r = cli(...args, '--format', 'npy', '--out', out);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      const { shape, data } = readNpy(readFileSync(out));
      const n = expected.ids.length;
      assert.deepEqual(shape, [body.layers.length, expected.heads, n, n]);
      // The json's numbers are the shortest decimals that read back as the same float32.
      assert.deepEqual(Array.from(data), flat(body.layers.map((l: { weights: unknown }) => l.weights)).map(Math.fround));
      assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'gpt.tokens.json'), 'utf8')), body.tokens);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run --model --format npy needs --out FILE.npy', () => {
    const model = path.join(ONNX_FIXTURES, 'gpt_tiny.onnx');
    assertFails(cli('run', '--model', model, '--ids', '1,2', '--format', 'npy'), 2, /--format npy needs --out FILE\.npy/);
    assertFails(cli('run', '--model', model, '--ids', '1,2', '--format', 'npy', '--out', 'w.bin'), 2, /--format npy needs --out FILE\.npy/);
    assertFails(cli('run', '--model', model, '--ids', '1,2', '--format', 'csv'), 2, /--model writes json or npy/);
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

/** A NumPy .npy 1.0 file of little-endian float32, read as NumPy does: magic, header dict, data. */
function readNpy(bytes: Buffer): { shape: number[]; data: Float32Array } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const len = bytes.readUInt16LE(8);
  assert.equal((10 + len) % 64, 0, 'data start at a multiple of 64 bytes');
  const header = bytes.subarray(10, 10 + len).toString('latin1');
  assert.ok(header.endsWith('\n'));
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(([\d, ]*)\), \} *\n$/.exec(header);
  assert.ok(m, header);
  const shape = m[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = bytes.subarray(10 + len);
  assert.equal(body.length, shape.reduce((a, b) => a * b, 1) * 4);
  const data = new Float32Array(body.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = body.readFloatLE(i * 4);
  return { shape, data };
}
