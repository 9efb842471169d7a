import assert from 'node:assert/strict';
import { OnnxDecodeError } from '../../../src/onnx/errors';
import { extractAttention } from '../../../src/onnx/node/extractAttention';
import type { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';
import { assertClose, distClient, fixtureBytes, fixtureText } from './ortHelpers';

interface ModelsFixture {
  ids: number[];
  heads: number;
  models: Record<string, { rank: 3 | 4; layers: number[][] }>;
}

describe('attention from exported PyTorch models in onnxruntime', function () {
  this.timeout(60_000);
  const fixture = JSON.parse(fixtureText('models.json')) as ModelsFixture;
  let client: OrtWorkerClient;
  before(() => { client = distClient(); });
  after(() => client.dispose());

  for (const [file, expected] of Object.entries(fixture.models)) {
    it(`${file}: every layer's probabilities agree with PyTorch within 1e-4`, async () => {
      const layers = await extractAttention(client, fixtureBytes(file), fixture.ids);
      const n = fixture.ids.length;
      assert.equal(layers.length, expected.layers.length);
      layers.forEach((layer, i) => {
        assert.equal(layer.index, i);
        assert.match(layer.nodeName, new RegExp(`\\.${i}/`), 'graph order is layer order');
        assert.deepEqual([layer.heads, layer.queries, layer.keys], [fixture.heads, n, n]);
        assertClose(layer.weights, expected.layers[i], 1e-4, `${file} layer ${i}`);
      });
    });
  }

  it('runs other sequence lengths and single layers', async () => {
    const [layer] = await extractAttention(client, fixtureBytes('gpt_tiny.onnx'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { layers: [1] });
    assert.equal(layer.index, 1);
    assert.deepEqual([layer.heads, layer.queries, layer.keys], [2, 11, 11]);
    // Causal: the first query attends only to itself.
    assert.equal(layer.weights[0], 1);
    for (let k = 1; k < 11; k++) assert.equal(layer.weights[k], 0);
  });

  it('rejects with typed errors before starting onnxruntime', async () => {
    await assert.rejects(extractAttention(client, new Uint8Array([0xde, 0xad, 0xbe, 0xef]), [1]), OnnxDecodeError);
    await assert.rejects(extractAttention(client, fixtureBytes('gpt_tiny.onnx').subarray(0, 1000), [1]), OnnxDecodeError);
  });
});
