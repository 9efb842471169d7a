// The files Export View writes for weights (NPY, CSV, JSON) and the standalone HTML page, read
// back byte by byte.
import assert from 'node:assert/strict';
import { csvOfSequence, float32Text, jsonOfSequence, npyOfSequence } from '../../../src/host/explorer/formats';
import { npyBytes, npyData, npyHeader } from '../../../src/shared/npy';
import { standaloneHtml } from '../../../src/host/explorer/standaloneHtml';
import type { WebviewStrings } from '../../../src/shared/protocol';

const seq = {
  label: 'Line 1',
  tokens: ['a', 'b,"c"'],
  offsets: Int32Array.from([0, 1, 2, 7]),
  special: Uint8Array.from([0, 0]),
  layers: 1,
  heads: 2,
  n: 2,
  weights: Float32Array.from([0.1, 0.9, 0.5, 0.5, 1, 0, 0.25, 0.75]),
};

describe('export formats', () => {
  it('writes the shortest decimal that reads back as the same float32', () => {
    for (const v of [0.1, 1 / 3, 0.9, 1e-8, 123456.789, 0, 1]) {
      const f = Math.fround(v);
      assert.equal(Math.fround(Number(float32Text(f))), f, `${v}`);
      assert.ok(float32Text(f).length <= 14, float32Text(f));
    }
    assert.equal(float32Text(Math.fround(0.1)), '0.1');
  });

  it('writes NPY 1.0: magic, a 64-byte aligned header with the shape, little-endian float32', () => {
    const bytes = npyOfSequence(seq);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 78, 85, 77, 80, 89, 1, 0]);
    const len = bytes[8] | (bytes[9] << 8);
    assert.equal((10 + len) % 64, 0);
    const header = String.fromCharCode(...bytes.subarray(10, 10 + len));
    assert.equal(header.trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2, 2), }");
    assert.ok(header.endsWith('\n'));
    const data = new DataView(bytes.buffer, 10 + len);
    assert.equal(data.byteLength, 32);
    for (let i = 0; i < 8; i++) assert.equal(data.getFloat32(i * 4, true), seq.weights[i]);
    assert.match(String.fromCharCode(...npyBytes(new Float32Array(3), [3]).subarray(10, 70)), /'shape': \(3,\)/);
  });

  it('writes an NPY header apart from the data, still 64-byte aligned when the shape is long', () => {
    const header = npyHeader([12, 16, 100000, 100000]);
    assert.equal(header.length % 64, 0);
    assert.equal(header[header.length - 1], 0x0a);
    assert.deepEqual(npyBytes(seq.weights, [8]), Uint8Array.from([...npyHeader([8]), ...npyData(seq.weights)]));
  });

  it('writes CSV with a header and one quoted-where-needed row per layer, head and query', () => {
    const lines = csvOfSequence(seq).trimEnd().split('\n');
    assert.equal(lines.length, 1 + 2 * 2);
    assert.equal(lines[0], 'layer,head,query,token,1:a,"2:b,""c"""');
    assert.equal(lines[2], '1,1,2,"b,""c""",0.5,0.5');
    assert.equal(lines[3], '1,2,1,a,1,0');
  });

  it('writes JSON with the shape, tokens, offsets and nested weights', () => {
    const j = JSON.parse(jsonOfSequence(seq));
    assert.deepEqual(j.shape, [1, 2, 2, 2]);
    assert.deepEqual(j.tokens, seq.tokens);
    assert.deepEqual(j.offsets, [[0, 1], [2, 7]]);
    assert.deepEqual(j.weights, [[[[0.1, 0.9], [0.5, 0.5]], [[1, 0], [0.25, 0.75]]]]);
  });

  it('writes a standalone page with everything inline and nothing that could close its scripts early', () => {
    const html = standaloneHtml({
      title: 'Attention <x>',
      lang: 'zh-cn',
      sequences: [{ ...seq, steps: true }],
      settings: { heads: 2, dModel: 4, seed: 1, mask: 'none', engine: 'core' },
      elapsedMs: 1,
      strings: { head: 'Head' } as WebviewStrings,
      viewState: '{"view":"model"}',
      theme: { variables: '--vscode-foreground: #333;', bodyClass: 'vscode-light' },
      script: 'console.log("</script><script>alert(1)</script>")',
      css: 'body { color: red }',
    });
    assert.equal(html.match(/<\/script>/g)?.length, 3, 'only the three script elements end');
    assert.match(html, /<title>Attention &#60;x&#62;<\/title>/);
    assert.match(html, /:root \{ --vscode-foreground: #333; \}/);
    const data = JSON.parse(/<script type="application\/json" id="attention-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '{}');
    assert.equal(data.sequences[0].steps, false);
    assert.deepEqual(data.viewState, { view: 'model' });
    const weights = new Float32Array(new Uint8Array(Buffer.from(data.sequences[0].weights, 'base64')).buffer);
    assert.deepEqual([...weights], [...seq.weights]);
  });
});
