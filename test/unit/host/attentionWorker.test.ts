// The attention worker as the extension runs it (dist/attentionWorker.js): a kept run shared out
// to helper threads gives the same overview, tiles and summaries as one thread computing it all.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildLayer, layerSpec, type LayerInput } from '../../../src/core';
import { keepLayer, keptStats, keptTile, splitRows } from '../../../src/core/keptLayer';
import { fullWindow } from '../../../src/core/tiles';
import type { FromWorker, ToWorker } from '../../../src/shared/workerProtocol';

const script = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'attentionWorker.js');

/** Sends requests one after another and collects the replies. */
async function ask(worker: Worker, requests: ToWorker[]): Promise<FromWorker[]> {
  const replies: FromWorker[] = [];
  for (const request of requests) {
    replies.push(await new Promise<FromWorker>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(request);
    }));
  }
  return replies;
}

describe('attention worker: kept runs over helper threads', function () {
  this.timeout(60_000);

  it('cuts query rows into slices of equal work, plain and causal', () => {
    assert.deepEqual(splitRows(10, 2, false), [[0, 5], [5, 10]]);
    assert.deepEqual(splitRows(100, 4, true), [[0, 50], [50, 71], [71, 87], [87, 100]]);
    assert.deepEqual(splitRows(1, 4, false), [[0, 1]]);
  });

  it('gives the overview, a window and the summaries one thread gives, for 2500 tokens', async () => {
    const text = Array.from({ length: 2500 }, (_, i) => '我喜欢吃苹果今天天气很好'[i % 12]).join('');
    const input: LayerInput = { kind: 'text', text };
    const spec = layerSpec({ heads: 2, dModel: 8, seed: 7, mask: 'causal' });
    const filters = { threshold: 0, topK: 0, hideSpecial: false };
    const choice = { layer: 0, head: 1, aggregate: 'none' as const, rollout: false };
    const worker = new Worker(script);
    try {
      const [result, overview, window, stats] = await ask(worker, [
        { type: 'compute', id: 1, input, spec, keep: { overview: 64 } },
        { type: 'tile', id: 2, choice, filters, window: fullWindow(2500), rows: 64, cols: 64 },
        { type: 'tile', id: 3, choice, filters, window: { q0: 2000, q1: 2100, k0: 1990, k1: 2100 }, rows: 50, cols: 50 },
        { type: 'stats', id: 4, causal: true },
      ]);
      assert.equal(result.type, 'result', JSON.stringify(result).slice(0, 200));
      if (result.type !== 'result' || overview.type !== 'tile' || window.type !== 'tile' || stats.type !== 'stats') return;
      assert.equal(result.n, 2500);
      assert.equal(result.weights.length, 0, 'the weights stay in the worker');
      const layer = buildLayer(input, spec);
      const one = keepLayer(layer.x, layer.n, layer.weights, layer.options, 64);
      assert.deepEqual(overview.tile.max, one.overviews[1].max);
      assert.deepEqual(overview.tile.mean, one.overviews[1].mean);
      const want = keptTile(one, { head: 1, aggregate: 'none' }, filters, { q0: 2000, q1: 2100, k0: 1990, k1: 2100 }, 50, 50);
      assert.deepEqual(window.tile.max, want.tile.max);
      const wantStats = keptStats(one);
      assert.deepEqual(stats.entropy, wantStats.entropy);
      assert.deepEqual(stats.max, wantStats.max);
    } finally {
      await worker.terminate();
    }
  });

  it('answers a tile request of a worker that keeps nothing with a failure', async () => {
    const worker = new Worker(script);
    try {
      const [reply] = await ask(worker, [{ type: 'stats', id: 9, causal: false }]);
      assert.equal(reply.type, 'failure');
      if (reply.type === 'failure') assert.match(reply.message, /keeps no run/);
    } finally {
      await worker.terminate();
    }
  });
});
