// One esbuild script with named targets. `node scripts/build.mjs` builds all of them;
// `node scripts/build.mjs webview extension` builds only those; `--watch` rebuilds on change;
// `--production` minifies the bundles that ship in the .vsix.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const production = args.includes('--production');
const wanted = args.filter((a) => !a.startsWith('--'));

const node = { platform: 'node', format: 'cjs', target: 'node20', sourcemap: !production, minify: production };

/** Test files are found by glob, never by a hand-kept list, so none can be forgotten. */
function testEntries() {
  return readdirSync(path.join(root, 'test'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

const targets = {
  // Extension host bundle: vscode is provided by the host at run time.
  extension: { ...node, entryPoints: ['src/host/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // Worker thread that runs the attention core off the extension host's thread.
  attentionWorker: { ...node, entryPoints: ['src/host/attentionWorker.ts'], outfile: 'dist/attentionWorker.js' },
  // Webview bundle: browser code, one IIFE loaded by nonce under a strict CSP.
  webview: {
    platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production,
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js',
  },
  // onnxruntime-web's WebGPU build for the panel, an ES module the panel adds by nonce only when
  // the engine asks for WebGPU; its .wasm is copied next to it (below).
  webviewOrt: {
    platform: 'browser', format: 'esm', target: 'es2022', sourcemap: false, minify: production,
    entryPoints: ['webview/ort/ortWebGpu.ts'], outfile: 'dist/webviewOrt.js',
  },
  // Notebook renderer: VS Code imports it as an ES module (contributes.notebookRenderer).
  renderer: {
    platform: 'browser', format: 'esm', target: 'es2022', sourcemap: !production, minify: production,
    entryPoints: ['webview/notebook/renderer.ts'], outfile: 'dist/renderer.js',
  },
  // Command line: the same core the extension calls.
  cli: { ...node, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // onnxruntime worker thread (src/onnx/node): loads ORT's WASM files copied next to it.
  ortWorker: { ...node, entryPoints: ['src/onnx/node/ortWorker.ts'], outfile: 'dist/ortWorker.js' },
  // `npm run bench`: core vs onnxruntime-web; runs dist/ortWorker.js beside it, and
  // dist/webviewOrt.js in Chromium through playwright-core (a dev dependency, not bundled).
  bench: { ...node, entryPoints: ['src/bench/bench.ts'], outfile: 'dist/bench.js', external: ['playwright-core'] },
  // Unit and integration tests, bundled one file each; vscode and mocha are resolved at run time.
  tests: {
    ...node, sourcemap: true, minify: false, entryPoints: testEntries(), outdir: 'out/test', outbase: 'test',
    external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
  },
};

const names = wanted.length ? wanted : Object.keys(targets);
for (const name of names) {
  if (!targets[name]) {
    console.error(`unknown build target "${name}"; targets: ${Object.keys(targets).join(', ')}`);
    process.exit(2);
  }
}

// onnxruntime-web import()s its WASM glue and binary at run time; Node needs only this pair.
if (names.includes('ortWorker')) {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  for (const file of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
    copyFileSync(path.join(root, 'node_modules/onnxruntime-web/dist', file), path.join(root, 'dist', file));
  }
}

// The WebGPU build (ort.webgpu.bundle.min.mjs, glue inlined) fetches one binary, served to the
// panel from dist/ by asWebviewUri.
if (names.includes('webviewOrt')) {
  mkdirSync(path.join(root, 'dist'), { recursive: true });
  const file = 'ort-wasm-simd-threaded.asyncify.wasm';
  copyFileSync(path.join(root, 'node_modules/onnxruntime-web/dist', file), path.join(root, 'dist', file));
}

await Promise.all(
  names.map(async (name) => {
    const options = { absWorkingDir: root, bundle: true, logLevel: 'warning', ...targets[name] };
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
      console.log(`watching ${name}`);
    } else {
      await esbuild.build(options);
    }
  }),
);
if (!watch) console.log(`built ${names.join(', ')}`);
