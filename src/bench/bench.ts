// `npm run bench`: one attention layer (d_model 768, 12 heads, batch 1) at several N, computed by
// the TypeScript core and by the same layer exported to ONNX and run in onnxruntime-web (WASM,
// in a worker thread) with 1 and 2 threads, plus the `auto` choice the extension makes, and the
// same graph on onnxruntime-web's WebGPU backend in headless Chromium (webgpuBench.ts).
//
//   node dist/bench.js            a table
//   node dist/bench.js --json     one JSON object per measurement and line
//   node dist/bench.js --n=128,512 --budget=1000   fewer sizes, shorter runs
//   node dist/bench.js --d-model=64 --heads=4      another layer shape (for tuning the policy)
//   node dist/bench.js --no-webgpu / --webgpu-only  without / only the Chromium rows
//   node dist/bench.js --no-views  without the explorer's views timed in the VS Code test host
// The views (out/test/bench/runViewsBench.js, also `npm run bench:views`) run last, in text mode
// only: their figures are not layer rows, so `--json` keeps to the layer rows' one shape.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { layerSpec, layerWeights, multiHeadAttention } from '../core';
import type { LayerWeights } from '../core/types';
import { exportLayer, pickEngine } from '../engine/run';
import { attentionFlops } from '../onnx/enginePolicy';
import { OrtWorkerClient, type OrtSession } from '../onnx/node/ortWorkerClient';
import { benchWebGpu } from './webgpuBench';


interface Row {
  engine: 'core' | 'onnxruntime-web' | 'auto' | 'onnx-webgpu';
  threads: number;
  n: number;
  d_model: number;
  heads: number;
  median_ms: number;
  gflops: number;
  /** onnx-webgpu rows only: how many timed runs the median is of (1: no warm-up, see webgpuRows). */
  runs?: number;
}

interface Settings {
  sizes: number[]; budgetMs: number; json: boolean; threads: number[]; node: boolean; webgpu: boolean; views: boolean;
  dModel: number; heads: number;
}

// The layer's shape, set once from the command line before anything runs.
let D_MODEL = 768;
let HEADS = 12;

function parseArgs(argv: string[]): Settings {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (s: string | undefined, fallback: number[]) => (s ? s.split(',').map(Number) : fallback);
  return {
    json: argv.includes('--json'),
    sizes: list(value('n'), [128, 512, 1024, 2048]),
    threads: list(value('threads'), [1, 2]),
    budgetMs: Number(value('budget') ?? 4000),
    node: !argv.includes('--webgpu-only'),
    webgpu: !argv.includes('--no-webgpu'),
    views: !argv.includes('--no-views') && !argv.includes('--json') && !argv.includes('--webgpu-only'),
    dModel: Number(value('d-model') ?? D_MODEL),
    heads: Number(value('heads') ?? HEADS),
  };
}

interface Runner { engine: Row['engine']; threads: number; run: () => unknown }

/**
 * Medians of repeated runs after one warm-up each (JIT, WASM memory growth). Each runner repeats
 * until its share of the time budget is spent, at least 5 and at most 30 times, and the runners
 * take turns, so load from other processes on a shared machine hits them all alike.
 */
async function medians(runners: Runner[], budgetMs: number): Promise<number[]> {
  const reps: number[] = [];
  for (const r of runners) {
    const start = performance.now();
    await r.run();
    reps.push(Math.max(5, Math.min(30, Math.floor(budgetMs / Math.max(performance.now() - start, 1e-3)))));
  }
  const times: number[][] = runners.map(() => []);
  for (let round = 0; round < Math.max(...reps); round++) {
    for (let i = 0; i < runners.length; i++) {
      if (round >= reps[i]) continue;
      const start = performance.now();
      await runners[i].run();
      times[i].push(performance.now() - start);
    }
  }
  return times.map(median);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function input(n: number): Float32Array {
  const x = new Float32Array(n * D_MODEL);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.5;
  return x;
}

function row(engine: Row['engine'], threads: number, n: number, ms: number): Row {
  const gflops = attentionFlops(n, D_MODEL) / (ms * 1e6);
  return { engine, threads, n, d_model: D_MODEL, heads: HEADS, median_ms: round(ms), gflops: round(gflops) };
}

const round = (v: number) => Math.round(v * 100) / 100;

function onnxRunner(session: OrtSession, n: number): () => Promise<unknown> {
  const feeds = { x: { type: 'float32' as const, dims: [1, n, D_MODEL], data: input(n) } };
  return () => session.run(feeds, ['attention_weights', 'output']);
}

async function benchSize(
  n: number, w: LayerWeights, sessions: Map<number, OrtSession>, s: Settings, report: (r: Row) => void,
): Promise<void> {
  const x = input(n);
  const core = () => multiHeadAttention(x, n, w, { heads: HEADS, mask: 'none' });
  const runners: Runner[] = [{ engine: 'core', threads: 1, run: core }];
  for (const [threads, session] of sessions) runners.push({ engine: 'onnxruntime-web', threads, run: onnxRunner(session, n) });
  // auto runs whatever the extension's policy picks, through the same path the extension uses.
  const spec = layerSpec({ heads: HEADS, dModel: D_MODEL, seed: 1 });
  const choice = pickEngine({ kind: 'layer', input: { kind: 'ids', ids: [] }, spec, engine: 'auto' }, n, os.availableParallelism());
  const session = sessions.get(choice.threads);
  if (choice.engine !== 'core' && !session) throw new Error(`auto picked ${choice.threads} threads; run with --threads including it`);
  runners.push({ engine: 'auto', threads: choice.threads, run: choice.engine === 'core' ? core : onnxRunner(session as OrtSession, n) });
  const ms = await medians(runners, s.budgetMs);
  runners.forEach((r, i) => report(row(r.engine, r.threads, n, ms[i])));
}

function table(rows: Row[]): string {
  const lines = ['    N  engine           threads   median ms   GFLOP/s   core / this'];
  for (const r of rows) {
    const core = rows.find((c) => c.n === r.n && c.engine === 'core');
    const ratio = core && r.engine !== 'core' ? (core.median_ms / r.median_ms).toFixed(2) + '×' : '';
    const runs = r.runs === undefined ? '' : `  ${r.runs} ${r.runs === 1 ? 'run, no warm-up' : 'runs'}`;
    lines.push(
      `${String(r.n).padStart(5)}  ${r.engine.padEnd(16)} ${String(r.threads).padStart(7)} ` +
        `${r.median_ms.toFixed(1).padStart(11)} ${r.gflops.toFixed(2).padStart(9)}   ${ratio.padStart(11)}${runs}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const s = parseArgs(process.argv.slice(2));
  D_MODEL = s.dModel;
  HEADS = s.heads;
  // The built-in layer as the extension describes it: the core runs its weights, onnxruntime its export.
  const spec = layerSpec({ heads: HEADS, dModel: D_MODEL, seed: 1 });
  const w = layerWeights(spec);
  const model = exportLayer(spec, w);
  const client = new OrtWorkerClient();
  const rows: Row[] = [];
  const report = (r: Row) => {
    rows.push(r);
    if (s.json) console.log(JSON.stringify(r));
    else process.stderr.write(`  ${r.engine} ×${r.threads} N=${r.n}: ${r.median_ms} ms\n`);
  };
  try {
    const sessions = new Map<number, OrtSession>();
    if (s.node) for (const t of s.threads) sessions.set(t, await client.load(model, { threads: t }));
    if (s.node) for (const n of s.sizes) await benchSize(n, w, sessions, s, report);
  } finally {
    client.dispose();
  }
  const adapter = s.webgpu ? await webgpuRows(model, s, report) : undefined;
  if (!s.json) {
    console.log(`attention layer, d_model ${D_MODEL}, ${HEADS} heads, batch 1, mask none; ${os.availableParallelism()} cores, Node ${process.version}`);
    console.log('onnxruntime-web: WASM (CPU) in a worker thread; times include the round trip to it.');
    if (adapter) {
      console.log(
        `onnx-webgpu: onnxruntime-web's WebGPU backend in headless Chromium, adapter "${adapter}", 1 WASM thread; ` +
          'times include reading the weights back.' +
          (/swiftshader/i.test(adapter) ? ' SwiftShader runs WebGPU on the CPU: these rows check the path, not GPU speed.' : ''),
      );
    }
    console.log(table([...rows].sort((a, b) => a.n - b.n)));
  }
  if (s.views) viewsBench();
}

/**
 * The explorer's views at N = 2048 and 12 heads, timed in the webview of the real VS Code test
 * host (a process of its own: it starts code-server and Chromium). A failure there is said and
 * leaves the layer rows above standing.
 */
function viewsBench(): void {
  const script = path.resolve(__dirname, '..', 'out', 'test', 'bench', 'runViewsBench.js');
  if (!existsSync(script)) {
    console.error(`views skipped: ${script} is missing (npm run build makes it)`);
    return;
  }
  process.stderr.write('  explorer views in the VS Code test host…\n');
  // The host's own log is long; what matters is the table it writes, or its end when it fails.
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const result = path.resolve(__dirname, '..', 'test-output', 'bench-views.txt');
  if (r.status === 0 && existsSync(result)) {
    console.log(`\n${readFileSync(result, 'utf8').trimEnd()}`);
  } else {
    const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n').slice(-20).join('\n');
    console.error(`views failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${log}`);
  }
}

/**
 * The onnx-webgpu rows. SwiftShader takes seconds a run at N = 512 and over a minute at 2048, so
 * each size gets at least 3 runs (not 5), and a size whose warm-up alone takes the budget is timed
 * by that one run (its `runs` is 1; it includes compiling that shape's shaders). No browser or no
 * adapter: said, and the other rows stand.
 */
async function webgpuRows(model: Uint8Array, s: Settings, report: (r: Row) => void): Promise<string | undefined> {
  try {
    const r = await benchWebGpu({
      dist: __dirname, model, sizes: s.sizes, dModel: D_MODEL, budgetMs: s.budgetMs, minReps: 3,
      onSize: (t) => report({ ...row('onnx-webgpu', 1, t.n, median(t.times)), runs: t.times.length }),
    });
    return r.adapter;
  } catch (e) {
    console.error(`onnx-webgpu rows skipped: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    return undefined;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});
