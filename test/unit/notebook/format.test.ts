// The .attnb file format: canonical layout, exact round trips, unknown fields kept, clear errors.
import assert from 'node:assert/strict';
import {
  NotebookFormatError,
  parseNotebook,
  serializeNotebook,
  type NotebookFile,
} from '../../../src/shared/notebookFormat';
import {
  OriginalBytes,
  readNotebookBytes,
  writeNotebookBytes,
  type PlainNotebook,
} from '../../../src/notebookFile/format';
import { ATTENTION_MIME, decodeAttention, encodeAttention } from '../../../src/shared/notebookOutput';

const enc = new TextEncoder();
const dec = new TextDecoder();

function sample(): NotebookFile {
  const weights = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => (i % 3) / 3 + 1e-7 * i);
  return {
    metadata: { title: 'tour' },
    cells: [
      { kind: 'markdown', source: '# Attention\n\nQueries meet keys.\n', extra: {} },
      {
        kind: 'attention',
        settings: { heads: 2, dModel: 8, seed: 7, mask: 'causal', scale: true },
        source: '我喜欢',
        outputs: [
          {
            items: [
              {
                mime: ATTENTION_MIME,
                json: encodeAttention({ tokens: ['我', '喜', '欢'], layers: 1, heads: 2, n: 3, weights, settings: { heads: 2 }, elapsedMs: 1.5 }),
              },
              { mime: 'text/markdown', text: '| head | top |\n|---|---|\n| 1 | 我 |\n' },
              { mime: 'application/octet-stream', base64: 'AAEC/w==' },
            ],
          },
        ],
        execution: { order: 3, success: true, startTime: 1000, endTime: 1012 },
        extra: {},
      },
      {
        // A model's output: two layers, [L][H][N][N].
        kind: 'attention',
        settings: { engine: 'onnx', model: 'models/gpt_tiny.onnx' },
        source: 'the cat',
        outputs: [
          {
            items: [
              {
                mime: ATTENTION_MIME,
                json: encodeAttention({
                  tokens: ['the', 'cat', 'sat'],
                  layers: 2,
                  heads: 2,
                  n: 3,
                  weights: Float32Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => (i % 5) / 7),
                  settings: { engine: 'onnx', model: 'models/gpt_tiny.onnx', backend: 'gpt_tiny.onnx · onnx-wasm' },
                  elapsedMs: 3.25,
                }),
              },
            ],
          },
        ],
        extra: {},
      },
    ],
    extra: {},
  };
}

function expectFormatError(text: string, where: RegExp | string, problem?: RegExp): void {
  assert.throws(
    () => parseNotebook(text),
    (e: unknown) => {
      assert.ok(e instanceof NotebookFormatError, `expected NotebookFormatError, got ${String(e)}`);
      if (typeof where === 'string') assert.equal(e.where, where);
      else assert.match(e.where, where);
      if (problem) assert.match(e.problem, problem);
      return true;
    },
  );
}

describe('attention notebook file', () => {
  describe('round trip', () => {
    it('serialize → parse → serialize gives the same text', () => {
      const text = serializeNotebook(sample());
      assert.equal(serializeNotebook(parseNotebook(text)), text);
    });

    it('bytes → notebook → bytes is byte-identical for a canonical file', () => {
      const bytes = enc.encode(serializeNotebook(sample()));
      const again = writeNotebookBytes(readNotebookBytes(bytes));
      assert.deepEqual(Buffer.from(again), Buffer.from(bytes));
    });

    it('keeps the layers of a model output through the file, and old outputs without them', () => {
      const text = serializeNotebook(sample());
      const [, one, two] = parseNotebook(text).cells;
      const oldStyle = decodeAttention(one.outputs?.[0].items[0].json);
      assert.equal(oldStyle.layers, 1);
      assert.ok(!('layers' in (one.outputs?.[0].items[0].json as object)), 'a single layer is written as before layers existed');
      const layered = decodeAttention(two.outputs?.[0].items[0].json);
      assert.equal(layered.layers, 2);
      assert.deepEqual([...layered.weights], [...Float32Array.from({ length: 36 }, (_, i) => (i % 5) / 7)]);
      assert.match(text, /"layers": 2,\n\s+"heads": 2/);
      assert.match(text, /"shape": \[2, 2, 3, 3\]/);
    });

    it('keeps a hand-formatted file byte-identical when nothing changed', () => {
      const hand = '{"format":"attention-notebook","version":1,\r\n "cells":[{"kind":"attention","source":"a b",\t"settings":{"seed":1.0}}]}';
      const originals = new OriginalBytes();
      const nb = readNotebookBytes(enc.encode(hand), originals);
      assert.equal(dec.decode(writeNotebookBytes(nb, originals)), hand);
      // Without the remembered original the same content is written in the canonical layout…
      const canonical = dec.decode(writeNotebookBytes(nb));
      assert.notEqual(canonical, hand);
      // (in the current format version: a version 1 file is written again as version 2)
      assert.match(canonical, /"version": 2/);
      assert.deepEqual(readNotebookBytes(enc.encode(canonical)), readNotebookBytes(enc.encode(hand)));
      // …and once something changes, the canonical layout is what gets written.
      nb.cells[0].value = 'a b c';
      assert.match(dec.decode(writeNotebookBytes(nb, originals)), /"source": "a b c"/);
    });

    it('gives output bytes back exactly: JSON, text and binary items', () => {
      const nb: PlainNotebook = {
        cells: [
          {
            kind: 'code',
            value: 'x',
            languageId: 'plaintext',
            outputs: [
              {
                items: [
                  { mime: 'application/json', data: enc.encode('{"a":1}') },
                  { mime: 'application/json', data: enc.encode('{ "a": 1.0 }') }, // not canonical JSON: kept as text
                  { mime: 'text/plain', data: enc.encode('\uFEFFbom and\r\nCRLF') },
                  { mime: 'image/png', data: Uint8Array.from([0x89, 0x50, 0xff, 0x00, 0xc3]) },
                  { mime: 'application/vnd.code.notebook.error', data: enc.encode('{"name":"Error","message":"boom"}') },
                ],
              },
            ],
          },
        ],
      };
      const back = readNotebookBytes(writeNotebookBytes(nb));
      const items = back.cells[0].outputs?.[0].items ?? [];
      assert.equal(items.length, 5);
      nb.cells[0].outputs?.[0].items.forEach((it, i) => {
        assert.equal(items[i].mime, it.mime);
        assert.deepEqual(Buffer.from(items[i].data), Buffer.from(it.data), it.mime);
      });
      const file = dec.decode(writeNotebookBytes(nb));
      assert.match(file, /"json": \{\n\s+"a": 1\n/);
      assert.ok(file.includes(`"base64": "${Buffer.from([0x89, 0x50, 0xff, 0x00, 0xc3]).toString("base64")}"`));
    });

    it('keeps source text exactly: CRLF, trailing newlines, blank lines, no final newline', () => {
      for (const source of ['', '\n', 'a\r\nb\r\n', 'one\n\n\nthree', 'end\n\n', '我喜欢吃苹果']) {
        const file: NotebookFile = { cells: [{ kind: 'markdown', source, extra: {} }], extra: {} };
        assert.equal(parseNotebook(serializeNotebook(file)).cells[0].source, source, JSON.stringify(source));
      }
    });

    it('maps execution order, success and timing both ways', () => {
      const nb = readNotebookBytes(enc.encode(serializeNotebook(sample())));
      assert.deepEqual(nb.cells[1].executionSummary, { executionOrder: 3, success: true, timing: { startTime: 1000, endTime: 1012 } });
    });

    it('reads an empty file as an empty notebook', () => {
      assert.deepEqual(readNotebookBytes(new Uint8Array()).cells, []);
      assert.deepEqual(parseNotebook('  \n').cells, []);
    });
  });

  describe('layout', () => {
    it('writes known keys in a fixed order whatever order the object had', () => {
      const file = sample();
      const cell = file.cells[1];
      // Same content, keys built in another order.
      const shuffled: NotebookFile = {
        extra: {},
        cells: [
          file.cells[0],
          {
            extra: {},
            execution: { endTime: 1012, startTime: 1000, success: true, order: 3 },
            outputs: cell.outputs,
            source: cell.source,
            settings: { scale: true, mask: 'causal', seed: 7, dModel: 8, heads: 2 },
            kind: 'attention',
          },
          file.cells[2],
        ],
        metadata: file.metadata,
      };
      assert.equal(serializeNotebook(shuffled), serializeNotebook(file));
      const text = serializeNotebook(file);
      const order = ['"format"', '"version"', '"metadata"', '"cells"'].map((k) => text.indexOf(k));
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
      const inCell = ['"kind": "attention"', '"settings"', '"source": "我喜欢"', '"outputs"', '"execution"'].map((k) => text.indexOf(k));
      assert.deepEqual(inCell, [...inCell].sort((a, b) => a - b));
      assert.match(text, /"settings": \{\n\s+"heads": 2,\n\s+"dModel": 8,\n\s+"seed": 7,\n\s+"mask": "causal",\n\s+"scale": true\n/);
    });

    it('stores multi-line text as a list of lines, and short lists on one line', () => {
      const text = serializeNotebook(sample());
      assert.match(text, /"source": \["# Attention\\n", "\\n", "Queries meet keys.\\n"\]/);
      assert.match(text, /"tokens": \["我", "喜", "欢"\]/);
      assert.match(text, /"shape": \[2, 3, 3\]/);
      assert.ok(text.endsWith('}\n'));
      assert.ok(!text.includes('\t'));
    });

    it('reads source written as one string or as a list of lines alike', () => {
      const a = parseNotebook('{"format":"attention-notebook","version":1,"cells":[{"kind":"markdown","source":"x\\ny"}]}');
      const b = parseNotebook('{"format":"attention-notebook","version":1,"cells":[{"kind":"markdown","source":["x\\n","y"]}]}');
      assert.equal(a.cells[0].source, 'x\ny');
      assert.equal(b.cells[0].source, 'x\ny');
    });
  });

  describe('unknown fields', () => {
    const text = JSON.stringify({
      format: 'attention-notebook',
      version: 2,
      cells: [
        {
          kind: 'attention',
          settings: { heads: 2, future: { temperature: 0.5 } },
          source: 'hi',
          metadata: { tags: ['x'], nested: { deep: [1, 2, { z: null }] } },
          reviewer: 'ana',
          __proto__field: 1,
        },
      ],
      metadata: { author: 'me' },
      generator: { name: 'other tool', version: '9' },
      zeta: [true, false],
    });

    it('keeps unknown fields at the top level, in cells, in settings and in metadata', () => {
      const out = parseNotebook(serializeNotebook(parseNotebook(text)));
      assert.deepEqual(out.extra, { generator: { name: 'other tool', version: '9' }, zeta: [true, false] });
      assert.deepEqual(out.metadata, { author: 'me' });
      assert.deepEqual(out.cells[0].extra, { reviewer: 'ana', __proto__field: 1 });
      assert.deepEqual(out.cells[0].settings, { heads: 2, future: { temperature: 0.5 } });
      assert.deepEqual(out.cells[0].metadata, { tags: ['x'], nested: { deep: [1, 2, { z: null }] } });
    });

    it('carries them through the notebook VS Code holds and back', () => {
      const nb = readNotebookBytes(enc.encode(text));
      assert.deepEqual(nb.metadata, { author: 'me', $file: { generator: { name: 'other tool', version: '9' }, zeta: [true, false] } });
      assert.deepEqual(nb.cells[0].metadata?.$file, { reviewer: 'ana', __proto__field: 1 });
      const again = parseNotebook(dec.decode(writeNotebookBytes(nb)));
      assert.deepEqual(again, parseNotebook(text));
    });

    it('keeps a field named __proto__ as a field', () => {
      const out = parseNotebook('{"format":"attention-notebook","version":1,"cells":[],"__proto__":{"x":1}}');
      assert.deepEqual(Object.keys(out.extra), ['__proto__']);
      assert.match(serializeNotebook(out), /"__proto__": \{/);
    });

    it('writes unknown fields after the known ones, in the order the file had them', () => {
      const written = serializeNotebook(parseNotebook(text));
      assert.ok(written.indexOf('"cells"') < written.indexOf('"generator"'));
      assert.ok(written.indexOf('"generator"') < written.indexOf('"zeta"'));
      assert.ok(written.indexOf('"source"') < written.indexOf('"reviewer"'));
    });
  });

  describe('files that cannot be read', () => {
    it('points at the line and column of a JSON syntax error', () => {
      expectFormatError('{\n  "format": "attention-notebook",\n  "version": 1,\n  "cells": [}\n}', 'line 4, column 13', /not valid JSON: expected a value but found "}"/);
    });

    it('says which field is wrong and what it holds', () => {
      const top = (rest: string) => `{"format":"attention-notebook","version":1,${rest}}`;
      expectFormatError('[]', 'file', /expected an object, found a list/);
      expectFormatError('{"format":"jupyter","version":1,"cells":[]}', 'format', /"attention-notebook"/);
      expectFormatError('{"format":"attention-notebook","cells":[]}', 'version', /whole number/);
      expectFormatError(top('"cells":{}'), 'cells', /a list of cells/);
      expectFormatError(top('"cells":[{"kind":"python","source":""}]'), 'cells[0].kind', /"markdown" or "attention".*"python"/);
      expectFormatError(top('"cells":[{"kind":"markdown","source":["a",3]}]'), 'cells[0].source[1]', /a string, found 3/);
      expectFormatError(top('"cells":[{"kind":"attention","source":"x","settings":{"heads":"four"}}]'), 'cells[0].settings.heads', /whole number.*"four"/);
      expectFormatError(top('"cells":[{"kind":"attention","source":"x","settings":{"scale":1}}]'), 'cells[0].settings.scale', /boolean/);
      expectFormatError(top('"cells":[{"kind":"attention","source":"x","outputs":[{"items":[{"mime":"a/b"}]}]}]'), 'cells[0].outputs[0].items[0]', /exactly one/);
      expectFormatError(top('"cells":[{"kind":"attention","source":"x","outputs":[{"items":[{"mime":"a/b","base64":"%%%%"}]}]}]'), 'cells[0].outputs[0].items[0].base64', /base64/);
      expectFormatError(top('"cells":[{"kind":"attention","source":"x","outputs":[{"items":[],"colour":"red"}]}]'), 'cells[0].outputs[0].colour', /unknown field/);
      expectFormatError(top('"cells":[{"kind":"attention","source":"x","execution":{"order":"1"}}]'), 'cells[0].execution.order', /a number/);
      expectFormatError(top('"cells":[{"kind":"markdown","source":"x","outputs":[]}]'), 'cells[0]', /markdown cell has no outputs/);
    });

    it('refuses a version it does not know, saying so', () => {
      expectFormatError('{"format":"attention-notebook","version":3,"cells":[]}', 'version', /newer Attention Explorer/);
    });

    it('refuses bytes that are not UTF-8', () => {
      assert.throws(() => readNotebookBytes(Uint8Array.from([0x7b, 0xff, 0x7d])), (e: unknown) => e instanceof NotebookFormatError && /UTF-8/.test(e.message));
    });

    it('names the place in the message itself, for the error VS Code shows', () => {
      assert.throws(() => parseNotebook('{"format":"attention-notebook","version":1,"cells":[3]}'), /^NotebookFormatError: cells\[0\]: expected an object, found 3$/);
    });
  });
});

describe('JSON syntax errors', () => {
  const cases: [string, string, RegExp][] = [
    ['{\n  "a": [}\n}', 'line 2, column 9', /expected a value but found "}"/],
    ['{"a": 1,}', 'line 1, column 9', /trailing commas/],
    ['{"a" 1}', 'line 1, column 6', /expected ":"/],
    ['{"a": "x\ny"}', 'line 1, column 9', /line break .* inside a string/],
    ['{"a": tru}', 'line 1, column 7', /expected a value/],
    ['{"a": 1} x', 'line 1, column 10', /after the end/],
    ['{"a": [1, 2', 'line 1, column 12', /the end of the file/],
    ["{'a': 1}", 'line 1, column 2', /property name in double quotes/],
    ['{"a": "\\q"}', 'line 1, column 9', /not a JSON escape/],
  ];
  for (const [text, where, reason] of cases) {
    it(`${JSON.stringify(text)} → ${where}`, () => expectFormatError(text, where, reason));
  }
});
