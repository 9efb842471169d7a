// Open Attention Data's reader: each kind of file read back exactly as it was written, and every
// file it cannot show refused with a sentence saying what is wrong.
import assert from 'node:assert/strict';
import { jsonOfSequence, npyOfSequence } from '../../../src/host/explorer/formats';
import { AttentionFileError, readAttentionFile, type TokensText } from '../../../src/shared/attentionFile';
import { float32ToBase64 } from '../../../src/shared/notebookOutput';
import { npyBytes } from '../../../src/shared/npy';

const text = (s: string) => new TextEncoder().encode(s);

/** Two layers, three heads, four tokens of weights that are not round in decimal. */
function sequence() {
  const layers = 2;
  const heads = 3;
  const n = 4;
  const weights = new Float32Array(layers * heads * n * n).map((_, i) => Math.fround(Math.sin(i + 1) ** 2 / 3)); // [L][H][N][N]
  return { label: 'Line 1', tokens: ['[CLS]', 'a', '"b"', '苹'], offsets: Int32Array.from([-1, -1, 0, 1, 2, 5, 6, 7]), special: Uint8Array.from([1, 0, 0, 0]), layers, heads, n, weights };
}

function refusal(name: string, bytes: Uint8Array, tokens?: TokensText): string {
  try {
    readAttentionFile(name, bytes, tokens);
  } catch (e) {
    assert.ok(e instanceof AttentionFileError, String(e));
    return e.message;
  }
  throw new Error(`${name} was read without complaint`);
}

/** [H][N][N] of layer l as nested lists. */
function nested(weights: Float32Array, l: number, heads: number, n: number): number[][][] {
  return Array.from({ length: heads }, (_, h) =>
    Array.from({ length: n }, (_, q) => Array.from(weights.subarray(((l * heads + h) * n + q) * n, ((l * heads + h) * n + q + 1) * n))));
}

function payload(seq = sequence(), b64 = true): Record<string, unknown> {
  return {
    title: 'gpt_tiny.onnx',
    tokens: ['[CLS]', { text: 'a', start: 0, end: 1, id: 7 }, '"b"', '苹'],
    layers: Array.from({ length: seq.layers }, (_, l) => ({
      node: `/h.${l}/attn/Softmax`,
      heads: seq.heads,
      ...(b64
        ? { weights_b64: float32ToBase64(seq.weights.subarray(l * seq.heads * 16, (l + 1) * seq.heads * 16)) }
        : { weights: nested(seq.weights, l, seq.heads, seq.n) }),
    })),
  };
}

describe('attention file reader', () => {
  it('reads an export written by jsonOfSequence back bit for bit', () => {
    const seq = sequence();
    const file = readAttentionFile('attention.json', text(jsonOfSequence(seq)));
    assert.equal(file.kind, 'export');
    assert.deepEqual(file.tokens, seq.tokens);
    assert.deepEqual(file.special, seq.special);
    assert.deepEqual([file.layers, file.heads, file.n], [2, 3, 4]);
    assert.deepEqual(file.weights, seq.weights);
  });

  it('keeps the key/value heads of grouped-query attention, from an export and from a payload', () => {
    const seq = { ...sequence(), heads: 3, kvHeads: [1, 3] };
    const exported = JSON.parse(jsonOfSequence(seq));
    assert.deepEqual(exported.kv_heads, [1, 3]);
    assert.deepEqual(readAttentionFile('attention.json', text(JSON.stringify(exported))).kvHeads, [1, 3]);
    assert.equal(readAttentionFile('attention.json', text(jsonOfSequence(sequence()))).kvHeads, undefined, 'none shared: none written');
    assert.match(refusal('a.json', text(JSON.stringify({ ...exported, kv_heads: [2, 3] }))), /its "kv_heads" \[2,3\] is not 2 whole numbers, each dividing 3 heads/);
    assert.match(refusal('a.json', text(JSON.stringify({ ...exported, kv_heads: [1] }))), /its "kv_heads" \[1\] is not 2 whole numbers/);
    const p = payload();
    (p.layers as Record<string, unknown>[]).forEach((l, i) => (l.kv_heads = [1, 3][i]));
    assert.deepEqual(readAttentionFile('model.json', text(JSON.stringify(p))).kvHeads, [1, 3]);
    // kv_heads equal to heads (what run --model writes for a plain model) is no sharing.
    (p.layers as Record<string, unknown>[]).forEach((l) => (l.kv_heads = 3));
    assert.equal(readAttentionFile('model.json', text(JSON.stringify(p))).kvHeads, undefined);
  });

  it('reads an npy written by npyBytes, with its tokens file or numbered tokens', () => {
    const seq = sequence();
    const bytes = npyOfSequence(seq);
    const numbered = readAttentionFile('run.npy', bytes);
    assert.equal(numbered.kind, 'npy');
    assert.deepEqual(numbered.tokens, ['1', '2', '3', '4']);
    assert.deepEqual(numbered.weights, seq.weights);
    assert.deepEqual([numbered.layers, numbered.heads, numbered.n], [2, 3, 4]);
    const tokens = JSON.stringify([{ text: '[CLS]', start: 0, end: 0, id: 1 }, { text: 'a', start: 0, end: 1, id: 2 }, '"b"', '苹']);
    assert.deepEqual(readAttentionFile('run.npy', bytes, { name: 'run.tokens.json', text: tokens }).tokens, seq.tokens);
  });

  it('reads a [heads, N, N] npy as one layer', () => {
    const seq = sequence();
    const file = readAttentionFile('one.npy', npyBytes(seq.weights.subarray(0, 48), [3, 4, 4]));
    assert.deepEqual([file.layers, file.heads, file.n], [1, 3, 4]);
    assert.deepEqual(file.weights, seq.weights.subarray(0, 48));
  });

  it('reads a payload with weights_b64 and with nested weights', () => {
    const seq = sequence();
    for (const b64 of [true, false]) {
      const file = readAttentionFile('model.json', text(JSON.stringify(payload(seq, b64))));
      assert.equal(file.kind, 'payload');
      assert.equal(file.title, 'gpt_tiny.onnx');
      assert.deepEqual(file.tokens, seq.tokens);
      assert.deepEqual([file.layers, file.heads, file.n], [2, 3, 4]);
      assert.deepEqual(file.weights, seq.weights);
    }
  });

  it('refuses an empty file, text that is not JSON, and JSON that is not attention data', () => {
    assert.equal(refusal('a.json', new Uint8Array(0)), 'the file is empty');
    assert.equal(refusal('a.npy', new Uint8Array(0)), 'the file is empty');
    assert.match(refusal('a.json', text('{"tokens": [1,\n  2')), /not valid JSON: line 2, column 4/);
    assert.match(refusal('a.json', Uint8Array.from([0xff, 0xfe, 0x00])), /neither a NumPy \.npy file nor UTF-8 JSON/);
    assert.match(refusal('a.json', text('{"name": "package"}')), /JSON but not attention data/);
    assert.match(refusal('a.json', text('[1, 2]')), /JSON but not attention data/);
  });

  it('refuses an export of another version, with tokens and shape that disagree, or weights of the wrong size', () => {
    const seq = sequence();
    const good = JSON.parse(jsonOfSequence(seq));
    const bad = (patch: Record<string, unknown>) => refusal('a.json', text(JSON.stringify({ ...good, ...patch })));
    assert.match(bad({ version: 2 }), /version is 2/);
    assert.match(bad({ tokens: ['a', 'b'] }), /shape \(2, 3, 4, 4\) does not match its 2 tokens/);
    assert.match(bad({ shape: [2, 3, 4] }), /"shape" \[2,3,4\] is not \[layers, heads, N, N\]/);
    assert.match(bad({ tokens: [1, 2, 3, 4] }), /"tokens" is not a list of strings/);
    assert.match(bad({ weights: good.weights.slice(0, 1) }), /weights should be a list of 2, found 1 entries/);
    good.weights[1][2][3] = [0.5, 0.5];
    assert.match(bad({}), /weights\[1\]\[2\]\[3\] should be a list of 4, found 2 entries/);
    good.weights[1][2][3] = [0.5, 0.5, 'x', 0];
    assert.match(bad({}), /weights\[1\]\[2\]\[3\]\[2\] is not a number/);
  });

  it('refuses NaN and infinite weights, naming where the first one is', () => {
    const seq = sequence();
    seq.weights[(1 * 3 + 2) * 16 + 1 * 4 + 3] = NaN; // layer 2, head 3, query 2, key 4
    assert.match(refusal('a.json', text(jsonOfSequence(seq))), /layer 2, head 3, query 2, key 4 is NaN/);
    assert.match(refusal('a.npy', npyOfSequence(seq)), /layer 2, head 3, query 2, key 4 is NaN/);
    assert.match(refusal('a.json', text(JSON.stringify(payload(seq)))), /layer 2 \(.+\): head 3, query 2, key 4 is NaN/);
    const inf = sequence();
    inf.weights[5] = Infinity;
    assert.match(refusal('a.npy', npyOfSequence(inf)), /layer 1, head 1, query 2, key 2 is Infinity/);
  });

  it('refuses a payload whose layers differ in heads, or that has no tokens or layers', () => {
    const p = payload();
    (p.layers as Record<string, unknown>[])[1] = { node: '/h.1/attn/Softmax', heads: 2, weights_b64: float32ToBase64(new Float32Array(32)) };
    assert.match(refusal('a.json', text(JSON.stringify(p))), /layer 2 has 2 heads and layer 1 has 3: every layer must have the same number/);
    // Whether the payload reader or this one refuses them first, each is a refusal with a reason.
    assert.ok(refusal('a.json', text(JSON.stringify({ tokens: ['a'], layers: [] }))).length > 0);
    assert.ok(refusal('a.json', text(JSON.stringify({ tokens: [], layers: [] }))).length > 0);
  });

  it('refuses a payload whose weights do not decode or do not fit', () => {
    const p = payload();
    (p.layers as Record<string, unknown>[])[0].weights_b64 = 'not base64!';
    assert.ok(refusal('a.json', text(JSON.stringify(p))).length > 0);
    const q = payload();
    (q.layers as Record<string, unknown>[])[0].weights_b64 = float32ToBase64(new Float32Array(40));
    assert.ok(refusal('a.json', text(JSON.stringify(q))).length > 0);
  });

  it('refuses npy arrays of another rank, not square, empty, or truncated', () => {
    const w = new Float32Array(24);
    assert.match(refusal('a.npy', npyBytes(w, [4, 6])), /shape \(4, 6\); expected \[layers, heads, N, N\] or \[heads, N, N\]/);
    assert.match(refusal('a.npy', npyBytes(w, [1, 2, 3, 4])), /shape \(1, 2, 3, 4\): the last two dimensions \(queries, keys\) differ/);
    assert.match(refusal('a.npy', npyBytes(new Float32Array(0), [0, 2, 2])), /shape \(0, 2, 2\): nothing to show/);
    const bytes = npyBytes(new Float32Array(16), [1, 4, 4]);
    assert.match(refusal('a.npy', bytes.subarray(0, bytes.length - 8)), /needs 64 bytes of data, but the file holds 56/);
    assert.match(refusal('a.npy', text('{"tokens": []}')), /magic/);
  });

  it('refuses a tokens file of the wrong count or kind', () => {
    const bytes = npyOfSequence(sequence());
    const tokens = (t: string) => refusal('run.npy', bytes, { name: 'run.tokens.json', text: t });
    assert.match(tokens('["a", "b"]'), /run\.tokens\.json has 2 tokens, but the weights are 4 × 4/);
    assert.match(tokens('["a", 2, "c", "d"]'), /token 2 of run\.tokens\.json is neither a string nor an object with a "text"/);
    assert.match(tokens('{"a": 1}'), /run\.tokens\.json is not a JSON list/);
    assert.match(tokens('["a",'), /run\.tokens\.json is not valid JSON/);
  });
});
