// Attention outputs as cells produce them and files store them: exact base64 float32 weights,
// and the size limit above which only the top k weights of each row are kept.
import assert from 'node:assert/strict';
import {
  base64ToBytes,
  base64ToFloat32,
  bytesToBase64,
  decodeAttention,
  encodeAttention,
  float32ToBase64,
  layerOf,
  meanOverHeads,
  OutputFormatError,
  topKeys,
  topKRows,
  type AttentionData,
} from '../../../src/shared/notebookOutput';
import type { JsonObject } from '../../../src/shared/notebookFormat';

/** Softmax rows of seeded noise: [H][N][N]. */
function attention(heads: number, n: number, layers = 1): AttentionData {
  const weights = new Float32Array(layers * heads * n * n);
  let s = 12345;
  for (let r = 0; r < layers * heads * n; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = Math.exp((s / 2 ** 32) * 6);
      weights[r * n + k] = v;
      sum += v;
    }
    for (let k = 0; k < n; k++) weights[r * n + k] /= sum;
  }
  const tokens = Array.from({ length: n }, (_, i) => `t${i}`);
  return { tokens, layers, heads, n, weights, settings: { heads }, elapsedMs: 2.25 };
}

describe('attention outputs', () => {
  describe('base64', () => {
    it('matches Node for every length remainder and every byte value', () => {
      for (let len = 0; len < 40; len++) {
        const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 97 + len) & 255);
        const b64 = bytesToBase64(bytes);
        assert.equal(b64, Buffer.from(bytes).toString('base64'));
        assert.deepEqual(base64ToBytes(b64), bytes);
      }
      const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => i & 255);
      assert.deepEqual(base64ToBytes(bytesToBase64(all)), all);
      // Longer than the chunks the text is built in, ending mid-triple.
      const long = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 131 + (i >> 8)) & 255);
      assert.equal(bytesToBase64(long), Buffer.from(long).toString('base64'));
    });

    it('keeps float32 weights exact, bit for bit, little-endian', () => {
      const values = Float32Array.from([0, -0, 1, 1 / 3, 1e-45, 3.4028234663852886e38, -2.5, Number.NaN, Infinity, -Infinity]);
      const b64 = float32ToBase64(values);
      const expected = Buffer.alloc(values.length * 4);
      values.forEach((v, i) => expected.writeFloatLE(v, i * 4));
      assert.equal(b64, expected.toString('base64'));
      const back = base64ToFloat32(b64);
      assert.deepEqual(new Uint32Array(back.buffer), new Uint32Array(values.buffer));
    });

    it('rejects text that is not base64, or not whole float32 values', () => {
      assert.throws(() => base64ToBytes('abc'), OutputFormatError);
      assert.throws(() => base64ToBytes('ab*d'), /character 3 is not base64/);
      assert.throws(() => base64ToFloat32(bytesToBase64(Uint8Array.of(1, 2, 3))), /not a whole number of float32/);
    });
  });

  describe('encode and decode', () => {
    it('round-trips small outputs densely and exactly', () => {
      const data = attention(3, 5);
      const json = encodeAttention(data);
      assert.equal((json.weights as JsonObject).layout, 'dense');
      const back = decodeAttention(JSON.parse(JSON.stringify(json)));
      assert.deepEqual(back.weights, data.weights);
      assert.deepEqual(back.tokens, data.tokens);
      assert.equal(back.topK, undefined);
    });

    it('above the size limit keeps the top k of each row, and says so', () => {
      const data = attention(2, 40); // 2·40·40·4 = 12 800 bytes dense
      const json = encodeAttention(data, 4000);
      const w = json.weights as JsonObject;
      assert.equal(w.layout, 'top-k');
      assert.equal(w.k, Math.floor(4000 / (2 * 40 * 8))); // 6
      const stored = (w.indices as string).length + (w.values as string).length;
      assert.ok(stored * 0.75 <= 4000 + 8, `stored ${stored * 0.75} bytes`);
      const back = decodeAttention(json);
      assert.equal(back.topK, 6);
      for (let r = 0; r < 2 * 40; r++) {
        const row = data.weights.subarray(r * 40, (r + 1) * 40);
        const kept = back.weights.subarray(r * 40, (r + 1) * 40);
        const threshold = [...row].sort((a, b) => b - a)[5];
        for (let k = 0; k < 40; k++) {
          // Every kept weight is exact; every weight above the row's 6th largest is kept.
          if (kept[k] !== 0) assert.equal(kept[k], row[k]);
          if (row[k] > threshold) assert.equal(kept[k], row[k]);
        }
        assert.equal(kept.filter((v) => v !== 0).length, 6);
      }
    });

    it('says how many tokens at the end were generated, and writes nothing of it for other outputs', () => {
      const plain = encodeAttention(attention(2, 5));
      assert.equal('generated' in plain, false, 'outputs without generation keep their bytes');
      const json = encodeAttention({ ...attention(2, 5), generated: 3 });
      assert.deepEqual(Object.keys(json).slice(0, 3), ['version', 'tokens', 'generated']);
      const back = decodeAttention(JSON.parse(JSON.stringify(json)));
      assert.equal(back.generated, 3);
      assert.equal(decodeAttention(plain).generated, undefined);
      for (const wrong of [6, -1, 1.5, '3']) {
        assert.throws(() => decodeAttention({ ...json, generated: wrong }), /generated must be a whole number of tokens from 0 to 5/);
      }
    });

    it('keeps at least one weight per row however small the limit', () => {
      const json = encodeAttention(attention(1, 10), 1);
      assert.equal((json.weights as JsonObject).k, 1);
    });

    it('picks the top k with ties broken towards the earlier key', () => {
      const { indices, values } = topKRows(Float32Array.from([0.1, 0.3, 0.3, 0.2, 0.1, 0.0]), 2, 3, 2);
      assert.deepEqual([...indices], [1, 2, 0, 1]);
      assert.deepEqual([...values], [0.30000001192092896, 0.30000001192092896, 0.20000000298023224, 0.10000000149011612]);
    });

    it('reports each inconsistency by field', () => {
      const good = encodeAttention(attention(2, 3));
      const bad = (patch: (j: JsonObject) => void) => {
        const j = JSON.parse(JSON.stringify(good)) as JsonObject;
        patch(j);
        return () => decodeAttention(j);
      };
      assert.throws(bad((j) => (j.version = 9)), /version must be 1/);
      assert.throws(bad((j) => (j.heads = 0)), /heads must be a whole number/);
      assert.throws(bad((j) => (j.tokens = ['a'])), /tokens must be a list of 3 strings/);
      assert.throws(bad((j) => ((j.weights as JsonObject).shape = [2, 3, 4])), /weights.shape must be \[2, 3, 3\]/);
      assert.throws(bad((j) => ((j.weights as JsonObject).base64 = float32ToBase64(new Float32Array(5)))), /holds 5 values.*needs 18/);
      assert.throws(bad((j) => ((j.weights as JsonObject).layout = 'sparse')), /"dense" or "top-k"/);
      assert.throws(() => decodeAttention('nope'), OutputFormatError);
    });
  });

  describe('layers', () => {
    it('writes one layer as outputs were written before layers, and reads those as one layer', () => {
      const data = attention(2, 3);
      const json = encodeAttention(data);
      assert.ok(!('layers' in json));
      assert.deepEqual((json.weights as JsonObject).shape, [2, 3, 3]);
      // An output as an older version wrote it: no layers field.
      const old = JSON.parse(JSON.stringify(json)) as JsonObject;
      const back = decodeAttention(old);
      assert.equal(back.layers, 1);
      assert.deepEqual(back.weights, data.weights);
      // Encoding what was read gives the same JSON text again.
      assert.equal(JSON.stringify(encodeAttention(back)), JSON.stringify(old));
    });

    it('round-trips every layer, [L][H][N][N], exactly', () => {
      const data = attention(2, 4, 3);
      const json = encodeAttention(data);
      assert.equal(json.layers, 3);
      assert.deepEqual(Object.keys(json), ['version', 'tokens', 'layers', 'heads', 'n', 'settings', 'elapsedMs', 'weights']);
      assert.deepEqual((json.weights as JsonObject).shape, [3, 2, 4, 4]);
      const text = JSON.stringify(json);
      const back = decodeAttention(JSON.parse(text));
      assert.equal(back.layers, 3);
      assert.deepEqual(back.weights, data.weights);
      assert.equal(JSON.stringify(encodeAttention(back)), text);
      const second = layerOf(back, 1);
      assert.equal(second.layers, 1);
      assert.deepEqual(second.weights, data.weights.subarray(32, 64));
      assert.deepEqual(topKeys(second, 0, 4), topKeys({ ...data, layers: 1, weights: data.weights.slice(32, 64) }, 0, 4));
      assert.throws(() => layerOf(back, 3), /layer 3 is outside 0…2/);
    });

    it('applies the size limit to all layers together, keeping the top k of every row of every layer', () => {
      const data = attention(2, 40, 2); // 2·2·40·40·4 = 25 600 bytes dense
      const json = encodeAttention(data, 8000);
      const w = json.weights as JsonObject;
      assert.equal(w.layout, 'top-k');
      assert.deepEqual(w.shape, [2, 2, 40, 40]);
      assert.equal(w.k, Math.floor(8000 / (2 * 2 * 40 * 8))); // 6
      const back = decodeAttention(JSON.parse(JSON.stringify(json)));
      assert.equal(back.layers, 2);
      assert.equal(back.topK, 6);
      for (let r = 0; r < 2 * 2 * 40; r++) {
        const row = data.weights.subarray(r * 40, (r + 1) * 40);
        const kept = back.weights.subarray(r * 40, (r + 1) * 40);
        const threshold = [...row].sort((a, b) => b - a)[5];
        for (let k = 0; k < 40; k++) if (row[k] > threshold) assert.equal(kept[k], row[k]);
        assert.equal(kept.filter((v) => v !== 0).length, 6);
      }
      // Re-encoding what was kept writes the same bytes: saving without changes stays byte-identical.
      assert.equal(JSON.stringify(encodeAttention(back, 8000)), JSON.stringify(json));
    });

    it('reports a layer count that does not match the weights', () => {
      const good = encodeAttention(attention(2, 3, 2));
      const bad = (patch: (j: JsonObject) => void) => {
        const j = JSON.parse(JSON.stringify(good)) as JsonObject;
        patch(j);
        return () => decodeAttention(j);
      };
      assert.throws(bad((j) => (j.layers = 0)), /layers must be a whole number ≥ 1/);
      assert.throws(bad((j) => (j.layers = 3)), /weights.shape must be \[3, 2, 3, 3\]/);
      assert.throws(bad((j) => delete j.layers), /weights.shape must be \[2, 3, 3\]/);
      assert.throws(bad((j) => ((j.weights as JsonObject).base64 = float32ToBase64(new Float32Array(18)))), /holds 18 values, shape \[2, 2, 3, 3\] needs 36/);
    });
  });

  describe('grouped-query attention', () => {
    it('keeps kv_heads per layer, and each layer keeps its own', () => {
      const data: AttentionData = { ...attention(4, 3, 2), kvHeads: [2, 1] };
      const json = encodeAttention(data);
      assert.deepEqual(json.kv_heads, [2, 1]);
      const text = JSON.stringify(json);
      const back = decodeAttention(JSON.parse(text));
      assert.deepEqual(back.kvHeads, [2, 1]);
      assert.equal(JSON.stringify(encodeAttention(back)), text);
      assert.deepEqual(layerOf(back, 1).kvHeads, [1]);
      // An output without sharing writes nothing new, and reads back without kvHeads.
      const plain = encodeAttention(attention(4, 3, 2));
      assert.ok(!('kv_heads' in plain));
      assert.equal(decodeAttention(plain).kvHeads, undefined);
    });

    it('refuses kv_heads that do not fit the layers and heads', () => {
      for (const kv of [[2], [3, 2], [2, 0], 'two', [2, 2, 2]]) {
        const j = JSON.parse(JSON.stringify(encodeAttention(attention(4, 3, 2)))) as JsonObject;
        j.kv_heads = kv;
        assert.throws(() => decodeAttention(j), /^OutputFormatError: kv_heads must list 2 whole numbers, each dividing 4 heads$/, JSON.stringify(kv));
      }
    });
  });

  describe('summaries', () => {
    it('averages heads and ranks the keys that receive the most attention', () => {
      const data: AttentionData = {
        tokens: ['a', 'b'],
        layers: 1,
        heads: 2,
        n: 2,
        weights: Float32Array.from([1, 0, 1, 0, 0, 1, 0.5, 0.5]),
        settings: {},
        elapsedMs: 0,
      };
      assert.deepEqual([...meanOverHeads(data)], [0.5, 0.5, 0.75, 0.25]);
      assert.deepEqual(topKeys(data, 0, 1), [{ key: 0, weight: 1 }]);
      assert.deepEqual(topKeys(data, 1, 2), [
        { key: 1, weight: 0.75 },
        { key: 0, weight: 0.25 },
      ]);
    });
  });
});
