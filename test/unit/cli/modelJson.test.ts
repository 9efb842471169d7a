// The JSON `run --model` prints, from a run whose query heads share key/value heads: each layer
// says how many it shares ("kv_heads"), and the panel's reader takes the grouping back.
import assert from 'node:assert/strict';
import { layersJson } from '../../../src/cli/modelCommand';
import type { AttentionRun } from '../../../src/engine/run';
import { readPayload } from '../../../src/shared/payload';

function run(kvHeads?: number[]): AttentionRun {
  const layers = 2;
  const heads = 4;
  const n = 2;
  const weights = Float32Array.from({ length: layers * heads * n * n }, (_, i) => (i % 2 === 0 ? 0.25 : 0.75));
  const r: AttentionRun = {
    tokens: [{ text: 'a', start: 0, end: 1 }, { text: 'b', start: 1, end: 2 }],
    layers, heads, n, weights, elapsedMs: 0, backend: 'test', nodes: ['/a/Softmax', '/b/Softmax'],
  };
  if (kvHeads) r.kvHeads = kvHeads;
  return r;
}

function parsed(r: AttentionRun): { node: string; heads: number; kv_heads: number; weights: number[][][] }[] {
  return JSON.parse([...layersJson(r)].join(''));
}

describe('run --model JSON: kv_heads', () => {
  it('writes each layer\'s key/value heads, between heads and weights', () => {
    const layers = parsed(run([2, 1]));
    assert.deepEqual(layers.map((l) => Object.keys(l)), [['node', 'heads', 'kv_heads', 'weights'], ['node', 'heads', 'kv_heads', 'weights']]);
    assert.deepEqual(layers.map((l) => [l.node, l.heads, l.kv_heads]), [['/a/Softmax', 4, 2], ['/b/Softmax', 4, 1]]);
    assert.deepEqual(layers[1].weights[3], [[0.25, 0.75], [0.25, 0.75]]);
  });

  it('writes kv_heads equal to heads when the run shares none', () => {
    assert.deepEqual(parsed(run()).map((l) => l.kv_heads), [4, 4]);
  });

  it('reads back as a payload with the same grouping', () => {
    const text = `{"tokens":["a","b"],"layers":${[...layersJson(run([2, 1]))].join('')}}`;
    assert.deepEqual(readPayload(JSON.parse(text)).layers.map((l) => l.kvHeads), [2, 1]);
  });
});
