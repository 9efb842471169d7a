// Loads onnxruntime-web's Node build (CPU WASM) in the current thread.
//
// It is loaded with require(): an `import` bundled as CommonJS resolves to the .mjs build, which
// crashes at load time. The WASM glue (ort-wasm-simd-threaded.mjs) and binary are import()ed at
// run time from `wasmDir`, given as a file:// prefix so the lookup works from a packaged .vsix
// wherever it is installed.
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type * as OrtModule from 'onnxruntime-web';

export type Ort = typeof OrtModule;

export const ORT_WASM_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;

let loaded: { ort: Ort; wasmDir: string; threads: number } | undefined;

/**
 * Returns onnxruntime-web configured for `threads` intra-op threads. ORT reads its WASM settings
 * once, when the first session is created, so a thread can only ever use one configuration.
 */
export function loadOrt(wasmDir: string, threads: number): Ort {
  if (loaded) {
    if (loaded.wasmDir !== wasmDir || loaded.threads !== threads) {
      throw new Error(`onnxruntime is already set up for ${loaded.threads} thread(s) from ${loaded.wasmDir}`);
    }
    return loaded.ort;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-web') as Ort;
  ort.env.wasm.wasmPaths = pathToFileURL(wasmDir + path.sep).href;
  // The default on a 2-core machine is 1; always say what is wanted.
  ort.env.wasm.numThreads = threads;
  // Errors come back as rejections with their message; nothing is printed on its own.
  ort.env.logLevel = 'fatal';
  loaded = { ort, wasmDir, threads };
  return ort;
}
