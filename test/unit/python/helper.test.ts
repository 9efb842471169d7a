// python/attention_explorer.py, run by the system Python with small driver scripts that print
// JSON: every input it accepts, its payload read back by the extension's reader bit for bit,
// every refusal, the static HTML, and the notebook fixtures written with it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { OutputFormatError } from '../../../src/shared/notebookOutput';
import { PAYLOAD_MIME, readPayload } from '../../../src/shared/payload';

const ROOT = path.resolve(__dirname, '../../../..'); // out/test/unit/python → the repository
const PYTHON = '/usr/bin/python3';
const MODULE_DIR = path.join(ROOT, 'python');
const MAKE_NOTEBOOKS = path.join(ROOT, 'scripts', 'fixtures', 'ipynb', 'make_notebooks.py');

interface PythonRun { status: number | null; stdout: string; stderr: string; error?: Error }

/**
 * Runs Python with attention_explorer importable, writing no __pycache__ into the source tree;
 * the large test prints a few MB, hence the buffer.
 */
function python(args: string[]): PythonRun {
  const r = spawnSync(PYTHON, args, {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: MODULE_DIR, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
    maxBuffer: 256 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/** Runs a driver (after PRELUDE) that prints one JSON value, and returns that value. */
function drive<T>(script: string): T {
  const r = python(['-c', `${PRELUDE}\n${script}`]);
  assert.equal(r.status, 0, `the driver failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

// Shared by every driver. `raw` writes the expected float32 bytes without the module, so the
// round trip compares the module's base64 against numpy's own little-endian encoding.
const PRELUDE = `
import json, sys
import numpy as np
from attention_explorer import MIME, to_bundle

def weights(shape, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)

def raw(layers):
    return [np.ascontiguousarray(l, dtype="<f4").tobytes().hex() for l in layers]

def emit(value):
    sys.stdout.write(json.dumps(value))
`;

interface Bundle { [mime: string]: unknown; 'text/plain': string; 'text/html': string }
interface RawLayer { node: string; name?: string; heads: number; weights_b64: string; [key: string]: unknown }
interface RawPayload { title?: string; tokens: string[]; layers: RawLayer[]; [key: string]: unknown }
interface Drawn { bundle: Bundle; raw: string[] }

const payloadOf = (bundle: Bundle) => bundle[PAYLOAD_MIME] as RawPayload;
const hex = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('hex');
const numbered = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

/** The payload as the module must write it, and as the extension reads it: the same bits. */
function assertPayload(d: Drawn, layers: number, heads: number, tokens: string[]): void {
  const payload = payloadOf(d.bundle);
  assert.deepEqual(Object.keys(payload), ['tokens', 'layers'], 'no title unless one is given');
  assert.deepEqual(payload.tokens, tokens);
  assert.equal(payload.layers.length, layers);
  payload.layers.forEach((layer, l) => {
    // The node is the layer's place in outputs.attentions; the views number the layers themselves.
    assert.deepEqual(Object.keys(layer).sort(), ['heads', 'node', 'weights_b64']);
    assert.equal(layer.node, `attentions[${l}]`);
    assert.equal(layer.heads, heads);
    assert.match(layer.weights_b64, /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  });

  const read = readPayload(payload);
  assert.equal(read.n, tokens.length);
  assert.deepEqual(read.tokens, tokens);
  assert.equal(read.layers.length, layers);
  read.layers.forEach((layer, l) => {
    assert.equal(layer.heads, heads);
    assert.equal(layer.node, `attentions[${l}]`);
    const w = layer.weights();
    assert.equal(w.length, heads * tokens.length * tokens.length);
    assert.equal(hex(w), d.raw[l], `layer ${l}: the weights read back differ from the float32 input`);
  });
}

describe('Python module python/attention_explorer.py', function () {
  // Python starts once per test and the large case encodes 150 MB of weights.
  this.timeout(120_000);

  before(() => {
    const r = python(['-c', 'import numpy']);
    if (r.status !== 0) {
      const why = r.error ? `${PYTHON} could not be started (${r.error.message})` : `numpy is missing (${r.stderr.trim().split('\n').pop()})`;
      throw new Error(`${why}: these tests need Debian's Python with numpy; run "apt-get install python3 python3-numpy".`);
    }
  });

  describe('accepted inputs', () => {
    it('a Hugging Face outputs.attentions tuple of [batch, heads, N, N] shows batch 0', () => {
      const d = drive<Drawn>(`
w = weights((3, 2, 4, 5, 5))
att = tuple(w[l] for l in range(3))
emit({"bundle": to_bundle(att, ["a", "b", "c", "d", "e"]), "raw": raw([w[l][0] for l in range(3)])})`);
      assertPayload(d, 3, 4, ['a', 'b', 'c', 'd', 'e']);
    });

    it('one [heads, N, N] array is one layer, with tokens numbered when none are given', () => {
      const d = drive<Drawn>(`
w = weights((4, 6, 6))
emit({"bundle": to_bundle(w), "raw": raw([w])})`);
      assertPayload(d, 1, 4, numbered(6));
    });

    it('one [layers, heads, N, N] array', () => {
      const d = drive<Drawn>(`
w = weights((2, 3, 4, 4))
emit({"bundle": to_bundle(w, list("wxyz")), "raw": raw(list(w))})`);
      assertPayload(d, 2, 3, ['w', 'x', 'y', 'z']);
    });

    it('a list of per-layer [heads, N, N] arrays', () => {
      const d = drive<Drawn>(`
w = weights((2, 2, 3, 3))
emit({"bundle": to_bundle([w[0], w[1]]), "raw": raw(list(w))})`);
      assertPayload(d, 2, 2, numbered(3));
    });

    it('float16 and float64 arrays are converted to float32', () => {
      const d = drive<{ half: Drawn; double: Drawn }>(`
h = weights((2, 4, 4)).astype(np.float16)
f = np.random.default_rng(1).random((2, 4, 4))
emit({"half": {"bundle": to_bundle(h), "raw": raw([h.astype(np.float32)])},
      "double": {"bundle": to_bundle(f), "raw": raw([f.astype(np.float32)])}})`);
      assertPayload(d.half, 1, 2, numbered(4));
      assertPayload(d.double, 1, 2, numbered(4));
    });

    it('a torch-like tensor is read through detach().cpu().float().numpy(), without torch', () => {
      const d = drive<Drawn & { calls: string[] }>(`
calls = []

class FakeTensor:
    """Stands for a half-precision CUDA tensor that requires grad: only these four methods."""
    def __init__(self, a):
        self.a = a
    def detach(self):
        calls.append("detach")
        return self
    def cpu(self):
        calls.append("cpu")
        return self
    def float(self):
        calls.append("float")
        return FakeTensor(self.a.astype(np.float32))
    def numpy(self):
        calls.append("numpy")
        return self.a

w = weights((2, 1, 2, 3, 3)).astype(np.float16)
b = to_bundle((FakeTensor(w[0]), FakeTensor(w[1])), ["x", "y", "z"])
emit({"bundle": b, "raw": raw([w[0][0].astype(np.float32), w[1][0].astype(np.float32)]), "calls": calls})`);
      assertPayload(d, 2, 2, ['x', 'y', 'z']);
      assert.deepEqual(d.calls, ['detach', 'cpu', 'float', 'numpy', 'detach', 'cpu', 'float', 'numpy']);
    });

    it('a tuple of real torch tensors (grad, bfloat16), where torch is installed', function () {
      if (python(['-c', 'import torch']).status !== 0) this.skip();
      const d = drive<Drawn>(`
import torch
torch.manual_seed(0)
a = torch.softmax(torch.randn(1, 2, 4, 4, requires_grad=True), dim=-1)
b = torch.softmax(torch.randn(1, 2, 4, 4), dim=-1).to(torch.bfloat16)
emit({"bundle": to_bundle((a, b), list("abcd")), "raw": raw([a[0].detach().numpy(), b[0].float().numpy()])})`);
      assertPayload(d, 2, 2, ['a', 'b', 'c', 'd']);
    });

    it('writes the title only when one is given', () => {
      const d = drive<Bundle[]>(`
w = weights((1, 2, 2))
emit([to_bundle(w, title="我的标题"), to_bundle(w)])`);
      assert.equal(payloadOf(d[0]).title, '我的标题');
      assert.equal(readPayload(payloadOf(d[0])).title, '我的标题');
      assert.ok(!('title' in payloadOf(d[1])));
      assert.equal(d[0]['text/plain'], 'Attention: 1 layer × 1 head × 2 tokens — 我的标题');
      assert.equal(d[1]['text/plain'], 'Attention: 1 layer × 1 head × 2 tokens');
    });
  });

  describe('refusals', () => {
    // Each case: the call, and what its ValueError must say.
    const cases: [string, string, RegExp][] = [
      ['non-square weights', 'to_bundle(np.zeros((2, 3, 4)))', /^layer 1 is 3 × 4 in its last two dimensions; attention weights must be square/],
      ['layers of different N', 'to_bundle([np.zeros((2, 3, 3)), np.zeros((2, 4, 4))])', /^layer 2 covers 4 tokens but layer 1 covers 3; every layer must cover the same tokens/],
      ['layers of different heads', 'to_bundle([np.zeros((2, 3, 3)), np.zeros((3, 3, 3))])', /^layer 2 has 3 heads but layer 1 has 2; every layer must have the same number of heads/],
      ['too few tokens', 'to_bundle(np.zeros((1, 3, 3)), ["a", "b"])', /^tokens has length 2 but the attention weights cover 3 tokens/],
      ['too many tokens', 'to_bundle(np.zeros((1, 2, 2)), ["a", "b", "c"])', /^tokens has length 3 but the attention weights cover 2 tokens/],
      ['one string as tokens', 'to_bundle(np.zeros((1, 3, 3)), "abc")', /^tokens must be a list of strings, one per token, not a single string/],
      ['a token that is not a string', 'to_bundle(np.zeros((1, 2, 2)), ["a", 2])', /^tokens\[1\] is int, not a string/],
      ['NaN', 'a = np.zeros((2, 2, 3, 3), np.float32); a[1, 1, 2, 0] = np.nan; to_bundle(a)', /^layer 2, head 2 holds NaN at query 3, key 1; weights must be finite/],
      ['infinity', 'a = np.zeros((3, 3, 3)); a[2, 0, 1] = -np.inf; to_bundle(a)', /^layer 1, head 3 holds infinity \(or a number too large for float32\) at query 1, key 2/],
      ['a float64 beyond float32', 'a = np.zeros((1, 2, 2)); a[0, 1, 1] = 1e300; to_bundle([a])', /^layer 1, head 1 holds infinity \(or a number too large for float32\) at query 2, key 2/],
      ['an empty list', 'to_bundle([])', /^attentions is empty: expected at least one layer of weights\.$/],
      ['an empty array', 'to_bundle(np.zeros((0,)))', /^attentions is empty/],
      ['no layers', 'to_bundle(np.zeros((0, 2, 3, 3)))', /^attentions is empty/],
      ['no heads', 'to_bundle(np.zeros((0, 3, 3)))', /^layer 1 is empty: it has no heads\.$/],
      ['no tokens', 'to_bundle(np.zeros((2, 0, 0)))', /^layer 1 is empty: it has no tokens\.$/],
      ['an empty batch', 'to_bundle((np.zeros((0, 2, 3, 3)),))', /^layer 1 has an empty batch dimension\.$/],
      ['rank 2', 'to_bundle(np.zeros((3, 3)))', /^attentions has shape \(3, 3\); expected \[heads, N, N\], \[layers, heads, N, N\], or a list or tuple of per-layer arrays\.$/],
      ['rank 5', 'to_bundle(np.zeros((2, 1, 2, 3, 3)))', /^attentions has shape \(2, 1, 2, 3, 3\); expected/],
      ['a layer of rank 5', 'to_bundle([np.zeros((2, 1, 2, 3, 3))])', /^layer 1 has shape \(2, 1, 2, 3, 3\); each layer must be \[heads, N, N\] or \[batch, heads, N, N\]\.$/],
      ['text', 'to_bundle(np.array([[["a"]]]))', /^layer 1 holds <U1 values; expected real numbers\.$/],
    ];

    let answers: Record<string, { type: string; message: string }> = {};
    before(() => {
      // One Python for all cases; each reports the exception it raised, if any.
      const calls = cases.map(([what, call]) => `try:\n    ${call}\n    out[${JSON.stringify(what)}] = {"type": "none", "message": ""}\nexcept Exception as e:\n    out[${JSON.stringify(what)}] = {"type": type(e).__name__, "message": str(e)}`);
      answers = drive(`out = {}\n${calls.join('\n')}\nemit(out)`);
    });

    for (const [what, , message] of cases) {
      it(`refuses ${what} with a ValueError that says why`, () => {
        assert.equal(answers[what].type, 'ValueError', `${what}: ${answers[what].message}`);
        assert.match(answers[what].message, message);
      });
    }
  });

  describe('text/plain and text/html', () => {
    const tokens = ['<s>', 'a&b', '"q"', "it's", '我', 'x'];
    let bundle: Bundle;
    before(() => {
      bundle = drive(`emit(to_bundle(weights((2, 3, 6, 6)), ${JSON.stringify(tokens)}, title="<T>"))`);
    });

    it('has a one-line summary', () => {
      assert.equal(bundle['text/plain'], 'Attention: 2 layers × 3 heads × 6 tokens — <T>');
    });

    it('is static: no script and no URL to fetch', () => {
      const html = bundle['text/html'];
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /http/i);
      assert.doesNotMatch(html, /\bsrc="(?!data:image\/png;base64,)/);
    });

    it('lists every token and the title HTML-escaped', () => {
      const html = bundle['text/html'];
      for (const escaped of ['&lt;s&gt;', 'a&amp;b', '&quot;q&quot;', 'it&#x27;s', '我', 'x']) {
        assert.ok(html.includes(`<code>${escaped}</code>`), `missing token ${escaped}`);
      }
      assert.ok(html.includes('<strong>&lt;T&gt;</strong>'));
      assert.ok(!html.includes('<s>') && !html.includes('<T>'));
    });

    it('has one captioned <img> with alt text per layer and head', () => {
      const html = bundle['text/html'];
      const images = html.match(/<img [^>]*>/g) ?? [];
      assert.equal(images.length, 2 * 3);
      for (const img of images) assert.match(img, / alt="Layer \d · Head \d: [^"]+"/);
      for (let l = 1; l <= 2; l++) for (let h = 1; h <= 3; h++) assert.ok(html.includes(`<small>Layer ${l} · Head ${h}</small>`));
    });
  });

  describe('heatmap images', () => {
    const images = (html: string) =>
      [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => PNG.sync.read(Buffer.from(m[1], 'base64')));
    const pixel = (png: PNG, x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
    const DARK = [0x44, 0x01, 0x54]; // viridis at 0
    const BRIGHT = [0xfd, 0xe7, 0x25]; // viridis at 1

    it('are upscaled to at least 64 px for a few tokens, and pooled to at most 96 px for many', () => {
      const sides = drive<number[][]>(`
import re
emit([[int(s) for s in re.findall(r'width="(\\d+)"', to_bundle(weights((1, n, n)))["text/html"])] for n in (6, 40, 96, 500)])`);
      assert.deepEqual(sides, [[66], [80], [96], [84]]);
    });

    it('keep a single strong weight visible when pooling (the largest of each block)', () => {
      // 500 tokens pool by 6: query 250, key 3 falls in the pixel at row 41, column 0.
      const html = drive<string>(`
a = np.zeros((1, 500, 500), np.float32)
a[0, 250, 3] = 1
emit(to_bundle(a)["text/html"])`);
      const [png] = images(html);
      assert.deepEqual([png.width, png.height], [84, 84]);
      assert.deepEqual(pixel(png, 0, 41), BRIGHT);
      assert.deepEqual(pixel(png, 1, 41), DARK);
      assert.deepEqual(pixel(png, 0, 40), DARK);
      assert.match(html, /each pixel is the largest weight of a 6 × 6 block of tokens/);
    });

    it('draw rows as queries and columns as keys, one flat block per token', () => {
      // Query 0 attends to key 5 only: 6 tokens scale by 11, so the top-right 11 × 11 is bright.
      const [png] = images(drive<string>(`
a = np.zeros((1, 6, 6), np.float32)
a[0, 0, 5] = 1
emit(to_bundle(a)["text/html"])`));
      assert.deepEqual([png.width, png.height], [66, 66]);
      assert.deepEqual(pixel(png, 55, 0), BRIGHT);
      assert.deepEqual(pixel(png, 65, 10), BRIGHT);
      assert.deepEqual(pixel(png, 54, 0), DARK);
      assert.deepEqual(pixel(png, 55, 11), DARK);
    });

    it('stay under 3 MB of HTML for 12 layers × 12 heads × 512 tokens', () => {
      const r = drive<{ bytes: number; images: number }>(`
b = to_bundle(weights((12, 12, 512, 512)))
emit({"bytes": len(b["text/html"].encode("utf-8")), "images": b["text/html"].count("<img")})`);
      assert.equal(r.images, 144);
      assert.ok(r.bytes < 3_000_000, `${r.bytes} bytes`);
    });
  });

  describe('show()', () => {
    it('displays the bundle raw through IPython', () => {
      const r = drive<{ raw: boolean; keys: string[]; returned: null; count: number }>(`
import types
shown = []
ipython = types.ModuleType("IPython")
ipython.display = types.ModuleType("IPython.display")
ipython.display.display = lambda value, raw=False: shown.append((value, raw))
sys.modules["IPython"] = ipython
sys.modules["IPython.display"] = ipython.display
from attention_explorer import show
returned = show(weights((1, 2, 3, 3)), ["a", "b", "c"], title="t")
emit({"raw": shown[0][1], "keys": sorted(shown[0][0]), "returned": returned, "count": len(shown)})`);
      assert.deepEqual(r, { raw: true, keys: [PAYLOAD_MIME, 'text/html', 'text/plain'].sort(), returned: null, count: 1 });
    });

    it('prints the summary where IPython cannot be imported', () => {
      const r = python(['-c', `${PRELUDE}
sys.modules["IPython"] = None  # makes "import IPython" raise ImportError
from attention_explorer import show
assert show(weights((2, 3, 3))) is None`]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'Attention: 1 layer × 2 heads × 3 tokens\n');
    });
  });

  describe('notebook fixtures (scripts/fixtures/ipynb/make_notebooks.py)', () => {
    let dir = '';
    let printed = '';
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'attention-ipynb-'));
      const r = python([MAKE_NOTEBOOKS, '--out', dir]);
      assert.equal(r.status, 0, r.stderr);
      printed = r.stdout;
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const read = <T>(name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;
    interface Output { output_type: string; data: Record<string, unknown>; metadata: object }
    interface Notebook {
      nbformat: number;
      nbformat_minor: number;
      metadata: { kernelspec: { name: string }; language_info: { name: string } };
      cells: { cell_type: string; id: string; outputs: Output[] }[];
    }
    interface Expected { tokens: string[]; layers: number; heads: number; probe: { layer: number; head: number; query: number; key: number; weight: number }[] }

    it('writes small, chinese and bad with their expectations, one printed line each, and no large one unasked', () => {
      const names = ['bad', 'chinese', 'small'].flatMap((n) => [`${n}.expected.json`, `${n}.ipynb`]);
      assert.deepEqual(readdirSync(dir).sort(), names);
      const lines = printed.trimEnd().split('\n');
      assert.equal(lines.length, names.length);
      for (const line of lines) assert.match(line, /^wrote .+\.(ipynb|expected\.json) \([\d.]+ (bytes|kB|MB)\)$/);
      assert.ok(!existsSync(path.join(dir, 'large.ipynb')));
    });

    for (const name of ['small', 'chinese', 'bad']) {
      it(`${name}.ipynb is an nbformat 4.5 notebook with the payload saved as display_data`, () => {
        const nb = read<Notebook>(`${name}.ipynb`);
        assert.equal(nb.nbformat, 4);
        assert.equal(nb.nbformat_minor, 5);
        assert.equal(nb.metadata.kernelspec.name, 'python3');
        assert.equal(nb.metadata.language_info.name, 'python');
        const [cell] = nb.cells;
        assert.equal(cell.cell_type, 'code');
        assert.match(cell.id, /^[A-Za-z0-9_-]{1,64}$/);
        const [output] = cell.outputs;
        assert.equal(output.output_type, 'display_data');
        assert.deepEqual(output.metadata, {});
        assert.equal(typeof output.data[PAYLOAD_MIME], 'object');
        assert.equal(typeof output.data['text/plain'], 'string');
        if (name !== 'bad') assert.equal(typeof output.data['text/html'], 'string');
      });
    }

    for (const name of ['small', 'chinese']) {
      it(`${name}: the extension's reader finds the expected tokens, shape and exact probe weights`, () => {
        const payload = readPayload(read<Notebook>(`${name}.ipynb`).cells[0].outputs[0].data[PAYLOAD_MIME]);
        const expected = read<Expected>(`${name}.expected.json`);
        assert.deepEqual(payload.tokens, expected.tokens);
        assert.equal(payload.layers.length, expected.layers);
        assert.ok(expected.probe.length > 0);
        for (const p of expected.probe) {
          const layer = payload.layers[p.layer];
          assert.equal(layer.heads, expected.heads);
          assert.equal(layer.weights()[(p.head * payload.n + p.query) * payload.n + p.key], p.weight, JSON.stringify(p));
        }
      });
    }

    it('chinese keeps one token per character and its title', () => {
      const payload = readPayload(read<Notebook>('chinese.ipynb').cells[0].outputs[0].data[PAYLOAD_MIME]);
      assert.deepEqual(payload.tokens, ['我', '喜', '欢', '吃', '苹', '果']);
      assert.equal(payload.title, '我喜欢吃苹果');
    });

    it("bad: the reader refuses the layer's weights, by their size, before decoding them", () => {
      const value = read<Notebook>('bad.ipynb').cells[0].outputs[0].data[PAYLOAD_MIME];
      assert.throws(() => readPayload(value), (e: unknown) =>
        e instanceof OutputFormatError && /layer 1 \(attentions\[0\]\): "weights_b64" holds 17 float32 values; 2 heads × 3 × 3 tokens need 18/.test(e.message));
    });
  });
});
