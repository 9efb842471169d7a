// The benchmark's onnx-webgpu rows: the same exported graph run by onnxruntime-web's WebGPU
// backend in headless Chromium (Debian's, driven by playwright-core), from the bundle the panel
// loads (dist/webviewOrt.js), on a page served from 127.0.0.1 under the panel's CSP. Without a
// GPU, Chromium's WebGPU adapter here is SwiftShader, on the CPU: these rows show that the path
// works and what it costs, not what a GPU would do.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

export interface WebGpuTimes {
  n: number;
  /** ms per run after one warm-up; or, where the warm-up alone took the whole budget, that one run. */
  times: number[];
  warmedUp: boolean;
}

const WASM = 'ort-wasm-simd-threaded.asyncify.wasm';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'];

/** Serves the page, the ORT bundle and its .wasm from dist/, and the model, on 127.0.0.1 only. */
function serve(dist: string, model: Uint8Array): Promise<http.Server> {
  const files: Record<string, () => [string, Uint8Array | string]> = {
    '/': () => ['text/html', '<!DOCTYPE html><meta charset="utf-8"><title>webgpu bench</title><script type="module" src="/webviewOrt.js"></script>'],
    '/webviewOrt.js': () => ['text/javascript', readFileSync(path.join(dist, 'webviewOrt.js'))],
    [`/${WASM}`]: () => ['application/wasm', readFileSync(path.join(dist, WASM))],
    '/model.onnx': () => ['application/octet-stream', model],
  };
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const [type, body] = file();
    // The panel's own policy: no 'unsafe-eval', WebAssembly and fetches of our files only.
    res.writeHead(200, { 'content-type': type, 'content-security-policy': "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'" });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Opens one session on the page; returns the adapter's name. */
async function openSession(page: Page): Promise<string> {
  return page.evaluate(async (wasm) => {
    const g = globalThis as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const adapter = await g.navigator.gpu?.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter in this Chromium');
    const model = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
    g.benchSession = await g.attentionExplorerOrt.open(model, `${g.location.origin}/${wasm}`);
    return `${adapter.info?.vendor ?? ''} ${adapter.info?.architecture ?? ''}`.trim();
  }, WASM);
}

/**
 * Runs N tokens: one warm-up, then repeats until budgetMs is spent, at least minReps and at most
 * maxReps times. A warm-up that alone takes the budget is the only run (SwiftShader at large N
 * takes a minute or more a run). Input as in the Node rows: x[i] = sin(0.37 i) / 2.
 */
function timeSize(
  page: Page, n: number, dModel: number, budgetMs: number, minReps: number, maxReps: number,
): Promise<{ first: number; times: number[] }> {
  return page.evaluate(
    async ({ n, dModel, budgetMs, minReps, maxReps }) => {
      const g = globalThis as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const x = new Float32Array(n * dModel);
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 0.5;
      let start = performance.now();
      await g.benchSession.run(x, n, dModel);
      const first = performance.now() - start;
      const times: number[] = [];
      if (first >= budgetMs) return { first, times };
      const reps = Math.max(minReps, Math.min(maxReps, Math.floor(budgetMs / Math.max(first, 1e-3))));
      for (let r = 0; r < reps; r++) {
        start = performance.now();
        await g.benchSession.run(x, n, dModel);
        times.push(performance.now() - start);
      }
      return { first, times };
    },
    { n, dModel, budgetMs, minReps, maxReps },
  );
}

export interface WebGpuBenchOptions {
  dist: string;
  model: Uint8Array;
  sizes: number[];
  dModel: number;
  budgetMs: number;
  /** Fewest runs per size; SwiftShader at N = 2048 takes seconds a run, so this is kept low. */
  minReps: number;
  onSize?: (t: WebGpuTimes) => void;
}

/** Runs the sizes in one Chromium; resolves with the adapter's name and the times per size. */
export async function benchWebGpu(o: WebGpuBenchOptions): Promise<{ adapter: string; sizes: WebGpuTimes[] }> {
  // Loaded here, not at the top: the Node rows need no browser.
  const { chromium } = await import('playwright-core');
  const server = await serve(o.dist, o.model);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'attentionExplorerOrt' in globalThis, null, { timeout: 30_000 });
    const adapter = await openSession(page);
    const sizes: WebGpuTimes[] = [];
    for (const n of o.sizes) {
      const { first, times } = await timeSize(page, n, o.dModel, o.budgetMs, o.minReps, 30);
      const t = times.length ? { n, times, warmedUp: true } : { n, times: [first], warmedUp: false };
      o.onSize?.(t);
      sizes.push(t);
    }
    return { adapter, sizes };
  } finally {
    await browser?.close();
    server.close();
  }
}
