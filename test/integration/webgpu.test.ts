// The onnx-webgpu engine in the real test host: the exported layer runs in the panel on
// onnxruntime-web's WebGPU backend (the host's Chromium gives a SwiftShader adapter), agrees with
// the core, and falls back to the WASM backend, saying why, when there is no adapter.
import * as assert from 'node:assert/strict';
import { NO_WEBGPU_ENV } from '../../src/host/panel';
import { hasTestHost, screenshot } from './support/host';
import { exploreFirstLine, setEngine } from './support/exploreLine';
import { maxAbsDifference } from './support/panelWeights';

describe('WebGPU engine', function () {
  this.timeout(180_000);

  before(function () {
    // Only the offline host's Chromium is known to have a (SwiftShader) WebGPU adapter.
    if (!hasTestHost()) this.skip();
  });

  afterEach(async () => {
    delete process.env[NO_WEBGPU_ENV];
    await setEngine(undefined);
  });

  it('runs the layer in the panel on WebGPU and agrees with the core within 1e-5', async () => {
    await setEngine('core');
    const core = await exploreFirstLine('webgpu-core');
    await setEngine('onnx-webgpu');
    const gpu = await exploreFirstLine('webgpu');
    assert.equal(gpu.outcome.status, 'shown');
    if (gpu.outcome.status === 'shown') assert.deepEqual(gpu.outcome.rendered?.sequences, [{ tokens: 6, heads: 4, drawnCanvases: 4 }]);
    assert.match(gpu.runInfo, /engine onnx-webgpu · google swiftshader · .* · \d+\.\d ms$/, 'the panel says WebGPU ran, on which adapter, and how long it took');
    assert.doesNotMatch(gpu.runInfo, /onnx-wasm/);
    assert.equal(gpu.weights.length, 4 * 6 * 6);
    const worst = maxAbsDifference(core.weights, gpu.weights);
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    const shot = await screenshot('webgpu-run');
    assert.ok((shot.webviewStats?.distinctColours ?? 0) > 20, 'the heatmaps drew');
  });

  it('falls back to the WASM backend without an adapter, and says why', async () => {
    process.env[NO_WEBGPU_ENV] = '1';
    await setEngine('onnx-webgpu');
    const r = await exploreFirstLine('webgpu-fallback');
    assert.equal(r.outcome.status, 'shown');
    assert.match(r.runInfo, /engine onnx-wasm · \d threads? \(WebGPU unavailable: no adapter\)/);
    assert.equal(r.weights.length, 4 * 6 * 6);
  });
});
