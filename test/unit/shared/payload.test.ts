// The payload any notebook can display: what it accepts, what it refuses and how it says so, and
// that it reads the command line's own `run --model` JSON.
import assert from 'node:assert/strict';
import path from 'node:path';
import { float32ToBase64, OutputFormatError } from '../../../src/shared/notebookOutput';
import { payloadHeads, payloadWeights, readPayload } from '../../../src/shared/payload';
import { cli, flat, ROOT } from '../cli/runCli';

/** [H][N][N] nested lists of distinct, exactly representable values. */
function nested(heads: number, n: number, offset = 0): number[][][] {
  return Array.from({ length: heads }, (_, h) =>
    Array.from({ length: n }, (_, q) => Array.from({ length: n }, (_, k) => offset + (h * n * n + q * n + k) / 1024)));
}

function refuses(value: unknown, pattern: RegExp, lazy = false): void {
  if (!lazy) {
    assert.throws(() => readPayload(value), (e: unknown) => e instanceof OutputFormatError && pattern.test(e.message));
    return;
  }
  // Damage inside encoded weights shows when the layer is decoded, not before.
  const payload = readPayload(value);
  assert.throws(() => payload.layers.forEach((l) => l.weights()), (e: unknown) => e instanceof OutputFormatError && pattern.test(e.message));
}

describe('attention payload', () => {
  const tokens = ['The', 'cat', 'sat'];

  it('reads nested weights and base64 weights to the same float32 values, tokens as strings or objects', () => {
    const w = nested(2, 3);
    const b64 = float32ToBase64(Float32Array.from(flat(w)));
    const a = readPayload({ tokens, layers: [{ node: 'n0', heads: 2, weights: w }] });
    const b = readPayload({ title: 'T', tokens: tokens.map((text) => ({ text, start: 0 })), layers: [{ node: 'n0', name: 'first', heads: 2, weights_b64: b64 }] });
    assert.deepEqual(a.tokens, tokens);
    assert.deepEqual(b.tokens, tokens);
    assert.equal(a.n, 3);
    assert.equal(b.title, 'T');
    assert.equal(a.title, undefined);
    assert.equal(b.layers[0].name, 'first');
    assert.deepEqual(a.layers[0].weights(), Float32Array.from(flat(w)));
    assert.deepEqual(b.layers[0].weights(), a.layers[0].weights());
    assert.equal(a.layers[0].kvHeads, 2, 'kv_heads defaults to heads');
  });

  it('keeps kv_heads, and joins the layers into [L][H][N][N]', () => {
    const p = readPayload({ tokens, layers: [
      { node: 'a', heads: 4, kv_heads: 2, weights: nested(4, 3) },
      { node: 'b', heads: 4, kv_heads: 1, weights: nested(4, 3, 1) },
    ] });
    assert.deepEqual(p.layers.map((l) => l.kvHeads), [2, 1]);
    assert.equal(payloadHeads(p), 4);
    assert.deepEqual(payloadWeights(p), Float32Array.from([...flat(nested(4, 3)), ...flat(nested(4, 3, 1))]));
  });

  it('decodes a layer only when asked, once', () => {
    const good = float32ToBase64(new Float32Array(9).fill(0.5));
    const broken = '!'.repeat(good.length); // the right length, not base64
    const p = readPayload({ tokens, layers: [{ heads: 1, weights_b64: good }, { heads: 1, weights_b64: broken }] });
    assert.equal(p.layers[0].weights(), p.layers[0].weights(), 'the same array each time');
    assert.throws(() => p.layers[1].weights(), /layer 2: "weights_b64": character 1 is not base64/);
  });

  it('refuses what does not fit, naming the field, the layer and the place', () => {
    refuses([], /must be a JSON object/);
    refuses({ tokens: 'abc', layers: [] }, /"tokens" must be a list/);
    refuses({ tokens: [], layers: [{ heads: 1, weights: [] }] }, /"tokens" is empty/);
    refuses({ tokens: [1], layers: [] }, /token 1 must be a string or an object with "text"/);
    refuses({ tokens, layers: [] }, /"layers" must be a list of at least one layer/);
    refuses({ tokens, title: 3, layers: [{ heads: 1, weights: nested(1, 3) }] }, /"title" must be a string/);
    refuses({ tokens, layers: [{ node: 'x', heads: 0, weights: [] }] }, /layer 1 \(x\): "heads" must be a whole number ≥ 1/);
    refuses({ tokens, layers: [{ heads: 4, kv_heads: 3, weights: nested(4, 3) }] }, /"kv_heads" must be a whole number that divides 4 heads/);
    refuses({ tokens, layers: [{ heads: 1 }] }, /give either "weights" or "weights_b64", not neither/);
    refuses({ tokens, layers: [{ heads: 1, weights: nested(1, 3), weights_b64: '' }] }, /not both/);
    // Ragged lists: a missing head, a short row.
    refuses({ tokens, layers: [{ heads: 2, weights: nested(1, 3) }] }, /layer 1: "weights" should be a list of 2, found 1 entries \(shape \[2, 3, 3\]\)/);
    const short = nested(1, 3);
    short[0][1].pop();
    refuses({ tokens, layers: [{ heads: 1, weights: short }] }, /layer 1: "weights"\[0\]\[1\] should be a list of 3, found 2 entries/);
    const text = nested(1, 3) as unknown[][][];
    text[0][2][0] = '0.5';
    refuses({ tokens, layers: [{ heads: 1, weights: text }] }, /layer 1: "weights"\[0\]\[2\]\[0\] is not a number/);
    // Wrong sizes of encoded weights are found from the text's length.
    refuses({ tokens, layers: [{ heads: 2, weights_b64: float32ToBase64(new Float32Array(9)) }] }, /holds 9 float32 values; 2 heads × 3 × 3 tokens need 18/);
    refuses({ tokens, layers: [{ heads: 1, weights_b64: 'abc' }] }, /holds no whole number of float32 values/);
    refuses({ tokens, layers: [{ heads: 1, weights_b64: 5 }] }, /"weights_b64" must be a string/);
  });

  it('refuses NaN and infinite weights, in either form, saying where', () => {
    const withNull = nested(2, 3) as (number | null)[][][];
    withNull[1][2][0] = null; // how the explorer's own JSON writes NaN
    refuses({ tokens, layers: [{ heads: 2, weights: withNull }] }, /layer 1: head 2, query 3, key 1 is NaN; attention weights must be finite/, true);
    const w = new Float32Array(18).fill(0.25);
    w[9 + 4] = Infinity;
    refuses({ tokens, layers: [{ node: 'n', heads: 2, weights_b64: float32ToBase64(w) }] }, /layer 1 \(n\): head 2, query 2, key 2 is Infinity/, true);
  });

  it('refuses layers with different head counts where one count is needed', () => {
    const p = readPayload({ tokens, layers: [{ heads: 2, weights: nested(2, 3) }, { heads: 1, weights: nested(1, 3) }] });
    assert.throws(() => payloadHeads(p), /layer 2 has 1 heads and layer 1 has 2: every layer must have the same number/);
  });

  it('reads the JSON that run --model writes', function () {
    this.timeout(60_000);
    const fixtures = path.join(ROOT, 'test', 'fixtures', 'onnx');
    const r = cli('run', '--model', path.join(fixtures, 'gpt_tiny.onnx'), '--ids', '1,2,3,4');
    assert.equal(r.status, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { layers: { weights: number[][][] }[] };
    const p = readPayload(body);
    assert.deepEqual(p.tokens, ['1', '2', '3', '4']);
    assert.equal(p.layers.length, body.layers.length);
    p.layers.forEach((layer, l) => {
      assert.match(layer.node, /Softmax/);
      assert.deepEqual(layer.weights(), Float32Array.from(flat(body.layers[l].weights)));
    });
  });
});
