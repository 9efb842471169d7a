// Worker thread entry: runs the built-in layer off the extension host's thread so that long
// sequences never freeze VS Code, and so that cancelling is as simple as terminating it. A run
// asked to `keep` is computed blockwise and stays here; the tiles and summaries of it the panel
// asks for are answered from it until the host ends this worker. Its query rows are shared out
// to helper threads (this same script), one per core, which hand back their slices.
import { availableParallelism } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import { buildLayer, runLayer, type BuiltLayer } from '../core';
import { joinKept, keepRows, keptStats, keptTile, splitRows, type KeptLayer, type KeptPart } from '../core/keptLayer';
import { Replies } from '../shared/replies';
import type { ComputeRequest, FromWorker, PartReply, PartRequest, ToWorker } from '../shared/workerProtocol';

/** Below this many tokens one thread is quicker than starting others. */
const SPLIT_FROM_TOKENS = 2048;
/** Helper threads share one layer's projections' cost each; beyond 4 they add little on these machines. */
const MAX_THREADS = 4;

let kept: KeptLayer | undefined;

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function post(reply: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer);
}

/** A helper thread's slice of the layer, computed in a thread of its own. */
function helperPart(request: Omit<PartRequest, 'id'>, first: BuiltLayer): Promise<KeptPart> {
  const replies = new Replies<PartReply>({ name: 'slice of query rows' });
  const helper = new Worker(__filename);
  const end = (e: Error) => replies.closeAll(e);
  helper.on('message', (m: FromWorker) => (m.type === 'part' ? replies.answer(m.id, m) : m.type === 'failure' && replies.fail(m.id, new Error(m.message))));
  helper.on('error', end);
  helper.on('exit', (code) => end(new Error(`a helper thread stopped (exit code ${code})`)));
  const id = replies.next();
  const reply = replies.wait(id, { timeoutMs: Infinity });
  helper.postMessage({ ...request, id });
  return reply.then((r) => {
    void helper.terminate();
    const { n, spec } = first;
    const empty = new Float32Array(0);
    const layer = { n, dModel: spec.dModel, heads: spec.heads, dHead: spec.dModel / spec.heads, scale: 0, mask: { causal: false, keep: null },
      rows: r.rows, q: empty, k: empty, v: empty, rowMax: r.rowMax, rowSum: r.rowSum, output: r.output };
    return { layer, pools: r.pools, overview: request.overview };
  });
}

async function computeKept(msg: ComputeRequest & { keep: { overview: number } }): Promise<void> {
  const started = performance.now();
  const layer = buildLayer(msg.input, msg.spec);
  const { n } = layer;
  const threads = n >= SPLIT_FROM_TOKENS ? Math.max(1, Math.min(MAX_THREADS, availableParallelism())) : 1;
  // This thread takes the first slice: joinKept keeps its q, k and v, the helpers send none.
  const [mine, ...rest] = splitRows(n, threads, layer.spec.mask === 'causal');
  const request = { type: 'part' as const, input: msg.input, spec: msg.spec, overview: msg.keep.overview };
  const others = rest.map((rows) => helperPart({ ...request, rows }, layer));
  const own = keepRows(layer.x, n, layer.weights, layer.options, msg.keep.overview, mine);
  kept = joinKept([own, ...(await Promise.all(others))]);
  const tokens = layer.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end }));
  post({ type: 'result', id: msg.id, tokens, heads: kept.layer.heads, n, weights: new Float32Array(0), elapsedMs: performance.now() - started });
}

function computePart(msg: PartRequest): void {
  const layer = buildLayer(msg.input, msg.spec);
  const part = keepRows(layer.x, layer.n, layer.weights, layer.options, msg.overview, msg.rows);
  const { rowMax, rowSum, output } = part.layer;
  const transfer = [rowMax.buffer, rowSum.buffer, output.buffer, ...part.pools.flatMap((p) => [p.max.buffer, p.sum.buffer, p.seen.buffer])];
  post({ type: 'part', id: msg.id, rows: msg.rows, rowMax, rowSum, output, pools: part.pools }, transfer as ArrayBuffer[]);
}

function compute(msg: ComputeRequest): Promise<void> | void {
  if (msg.keep) return computeKept({ ...msg, keep: msg.keep });
  const started = performance.now();
  const { layer, result: r } = runLayer(msg.input, msg.spec, msg.sequence);
  const tokens = layer.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end }));
  post({ type: 'result', id: msg.id, tokens, heads: r.heads, n: r.n, weights: r.weights, elapsedMs: performance.now() - started }, [r.weights.buffer as ArrayBuffer]);
}

async function answer(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'compute':
      return compute(msg);
    case 'part':
      return computePart(msg);
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
  answer(msg).catch((e: unknown) => {
    post({ type: 'failure', id: msg.id, message: e instanceof Error ? e.message : String(e), code: errorCode(e) });
  });
});
