// Worker thread entry: runs the built-in layer off the extension host's thread so that long
// sequences never freeze VS Code, and so that cancelling is as simple as terminating it. A run
// asked to `keep` is computed blockwise and stays here; the tiles and summaries of it the panel
// asks for are answered from it until the host ends this worker.
import { parentPort } from 'node:worker_threads';
import { buildLayer } from '../core';
import { keepLayer, keptStats, keptTile, type KeptLayer } from '../core/keptLayer';
import { runText } from '../shared/pipeline';
import type { ComputeRequest, FromWorker, ToWorker } from '../shared/workerProtocol';

let kept: KeptLayer | undefined;

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function post(reply: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer);
}

function compute(msg: ComputeRequest): void {
  const started = performance.now();
  if (msg.keep) {
    const layer = buildLayer(msg.input, msg.spec);
    kept = keepLayer(layer.x, layer.n, layer.weights, layer.options, msg.keep.overview);
    const tokens = layer.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end }));
    post({ type: 'result', id: msg.id, tokens, heads: kept.layer.heads, n: layer.n, weights: new Float32Array(0), elapsedMs: performance.now() - started });
    return;
  }
  const r = runText(msg.input, msg.spec);
  const tokens = r.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end }));
  post({ type: 'result', id: msg.id, tokens, heads: r.heads, n: r.n, weights: r.weights, elapsedMs: performance.now() - started }, [r.weights.buffer as ArrayBuffer]);
}

function answer(msg: ToWorker): void {
  switch (msg.type) {
    case 'compute':
      return compute(msg);
    case 'tile': {
      if (!kept) throw new RangeError('this worker keeps no run');
      const { tile, peak } = keptTile(kept, msg.choice, msg.filters, msg.window, msg.rows, msg.cols);
      // The overviews are kept: send copies of them, transfer anything made for this request.
      const own = kept.overviews.includes(tile) ? { ...tile, max: tile.max.slice(), mean: tile.mean.slice() } : tile;
      return post({ type: 'tile', id: msg.id, tile: own, peak }, [own.max.buffer as ArrayBuffer, own.mean.buffer as ArrayBuffer]);
    }
    case 'stats': {
      if (!kept) throw new RangeError('this worker keeps no run');
      // Summaries follow the layer's own mask; the view's causal flag is the same mask for the built-in layer.
      const { entropy, sparsity, max } = keptStats(kept);
      return post({ type: 'stats', id: msg.id, entropy: entropy.slice(), sparsity: sparsity.slice(), max: max.slice() });
    }
  }
}

parentPort?.on('message', (msg: ToWorker) => {
  try {
    answer(msg);
  } catch (e) {
    post({ type: 'failure', id: msg.id, message: e instanceof Error ? e.message : String(e), code: errorCode(e) });
  }
});
