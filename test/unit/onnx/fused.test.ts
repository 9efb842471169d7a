// Attention read out of fused attention operators, decoders with a cache, merged decoders and
// models with external data, against the probabilities scripts/fixtures/onnx/make_fused.py
// computed with numpy outside the graph (and checked there against ONNX Runtime's own outputs).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generateAttention } from '../../../src/engine/generate';
import { runAttention, type AttentionRun, type ModelRequest } from '../../../src/engine/run';
import { loadOrt } from '../../../src/onnx/node/ortNode';
import { planAttentionRun } from '../../../src/onnx/attentionRun';
import { ExternalDataError } from '../../../src/onnx/errors';
import { makeFeeds } from '../../../src/onnx/inputs';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { assertClose, distClient, fixtureBytes, repoRoot } from './ortHelpers';

interface FixtureLayer { node: string; op: string; heads: number; kv_heads: number; attention: number[][][] }
interface Fixture { ids: number[]; layers: FixtureLayer[]; outputs: Record<string, { dims: number[] }>; ort: string }

const dir = path.join(repoRoot, 'test', 'fixtures', 'onnx', 'fused');
const fixture = (name: string): Fixture => JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Fixture;
const bytes = (name: string) => fixtureBytes(path.join('fused', `${name}.onnx`));
const beside = async (file: string) => {
  const p = path.join(dir, file);
  return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined;
};

function request(name: string, extra: Partial<ModelRequest> = {}): ModelRequest {
  const f = fixture(name);
  return { kind: 'model', model: bytes(name), label: `${name}.onnx`, tokens: f.ids.map((id) => ({ text: String(id), start: 0, end: 0, id })), beside, ...extra };
}

const MODELS: [name: string, ops: string][] = [
  ['attention_packed', 'com.microsoft.Attention: packed QKV and bias, 2-D and 1-D masks, unidirectional, scale, qkv_hidden_sizes'],
  ['mha', 'com.microsoft.MultiHeadAttention: separate Q/K/V with bias and key padding mask, keys split into heads, unidirectional with attention_bias'],
  ['gqa', 'com.microsoft.GroupQueryAttention: 8 query heads over 2 KV heads, rotary (plain and interleaved), empty past, local window, softcap'],
  ['attention23', 'ai.onnx Attention (opset 23): 3-D with grouped heads and is_causal, 4-D with a boolean mask and softcap'],
  ['decoder_past', 'a plain decoder with past_key_values, position_ids and cache_position'],
  ['decoder_merged', 'a merged decoder whose attention sits in the If branches on use_cache_branch'],
  ['external', 'a plain encoder whose weights are in external.onnx_data'],
  ['llama_plain', 'torch.onnx.export of a Llama-style decoder whose 8 query heads share 2 key/value heads through expand + reshape'],
];

describe('attention out of fused operators, decoders with a cache and external data', function () {
  this.timeout(120_000);
  let client: OrtWorkerClient;
  before(() => { client = distClient(); });
  after(() => client.dispose());
  const run = (req: ModelRequest): Promise<AttentionRun> => runAttention(req, { cores: 1, ort: () => client });

  for (const [name, what] of MODELS) {
    it(`${name}: ${what}: every layer within 1e-4 of the recorded attention`, async () => {
      const f = fixture(name);
      const r = await run(request(name));
      const n = f.ids.length;
      assert.equal(r.layers, f.layers.length);
      assert.equal(r.n, n);
      f.layers.forEach((layer, l) => {
        assert.equal(r.heads, layer.heads, `layer ${l} heads`);
        const size = r.heads * n * n;
        assertClose(r.weights.subarray(l * size, (l + 1) * size), layer.attention.flat(2), 1e-4, `${name} layer ${l} (${layer.node})`);
        assert.equal(r.kvHeads?.[l] ?? r.heads, layer.kv_heads, `layer ${l} kv heads`);
      });
      if (f.layers[0].op !== 'Softmax') assert.deepEqual(r.nodes, f.layers.map((l) => l.node));
    });
  }

  it('leaves the model\'s own outputs bit-identical', async () => {
    for (const [name] of MODELS) {
      const f = fixture(name);
      const original = bytes(name);
      const plan = planAttentionRun(original);
      const externalData = name === 'external' ? [{ path: 'external.onnx_data', data: (await beside('external.onnx_data')) as Uint8Array }] : undefined;
      const names = Object.keys(f.outputs);
      const feeds = () => makeFeeds(plan.inputs, f.ids);
      const before = await client.run(original, feeds(), names, { externalData });
      const after = await client.run(plan.model, feeds(), names, { externalData });
      for (const out of names) {
        assert.deepEqual(after.outputs[out].dims, before.outputs[out].dims, `${name} ${out} dims`);
        assert.deepEqual(Array.from(after.outputs[out].data as Float32Array), Array.from(before.outputs[out].data as Float32Array), `${name} ${out}`);
      }
    }
  });

  it('names the external data file that is missing', async () => {
    await assert.rejects(
      run(request('external', { beside: async () => undefined })),
      (e: unknown) => e instanceof ExternalDataError && /external\.onnx keeps its weights in "external\.onnx_data", which is not beside it/.test(e.message),
    );
  });

  it('finds no sharing where there is none', async () => {
    for (const name of ['attention_packed', 'decoder_past']) assert.equal((await run(request(name))).kvHeads, undefined, name);
  });

  it('shows the kv groups of grouped-query heads and names the fused node of each layer', async () => {
    const r = await run(request('gqa'));
    assert.deepEqual(r.kvHeads, [2, 2]);
    assert.deepEqual(r.nodes, ['layer0.attn', 'layer1.attn']);
    // The window of 3 keys: the last query of layer 1 gives nothing to keys more than 2 before it.
    const n = r.n;
    const layer1 = r.weights.subarray(r.heads * n * n);
    for (let h = 0; h < r.heads; h++) {
      const row = layer1.subarray((h * n + n - 1) * n, (h * n + n) * n);
      assert.ok(row.subarray(0, n - 3).every((w) => w === 0), `head ${h}: ${Array.from(row)}`);
    }
  });

  it('generates with a GroupQueryAttention decoder fed an empty cache, as a greedy decode done here picks', async () => {
    const f = fixture('gqa');
    const count = 5;
    // The test's own decode: onnxruntime-web in this thread, the whole sequence each step, past caches empty.
    const ort = loadOrt(path.join(repoRoot, 'dist'), 1);
    const session = await ort.InferenceSession.create(bytes('gqa'));
    const expected: number[] = [];
    try {
      const seq = [...f.ids];
      while (expected.length < count) {
        const n = seq.length;
        const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(seq, BigInt), [1, n]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
        };
        for (const l of [0, 1]) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 16]);
        const logits = (await session.run(feeds, ['logits'])).logits;
        const v = logits.dims[2];
        const data = logits.data as Float32Array;
        let best = 0;
        for (let i = 1; i < v; i++) if (data[(n - 1) * v + i] > data[(n - 1) * v + best]) best = i;
        seq.push(best);
        expected.push(best);
      }
    } finally {
      await session.release();
    }
    const r = await generateAttention(
      { model: request('gqa'), text: f.ids.join(' '), count, decode: (ids) => ids.map((id) => ` ${id}`).join('') },
      { cores: 1, ort: () => client },
    );
    assert.equal(r.generated, count);
    assert.deepEqual(r.tokens.slice(f.ids.length).map((t) => t.id), expected);
    assert.deepEqual(r.kvHeads, [2, 2]);
  });

  it('a packed MultiHeadAttention that ONNX Runtime\'s CPU kernel cannot run gets its error, not a wrong answer', async () => {
    assert.match(fixture('mha_packed').ort, /unsupported/);
    await assert.rejects(run(request('mha_packed')), /Packed QKV/);
  });
});
