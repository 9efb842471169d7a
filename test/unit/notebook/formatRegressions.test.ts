// One test per defect the .attnb format had: deep nesting, metadata keys named like the file's
// own fields, "__proto__" settings, empty lists in hand-written files, binary outputs, and
// files that are not UTF-8.
import assert from 'node:assert/strict';
import { NotebookFormatError, parseNotebook, serializeNotebook, type Json } from '../../../src/shared/notebookFormat';
import { writeJson } from '../../../src/shared/jsonText';
import { findJsonSyntaxError } from '../../../src/shared/jsonSyntax';
import { OriginalBytes, readNotebookBytes, writeNotebookBytes, type PlainNotebook } from '../../../src/notebookFile/format';

const enc = new TextEncoder();
const dec = new TextDecoder();
const compact = (v: unknown) => writeJson(v as Json, { pretty: false });

/** Opens bytes as the editor does, then saves without changes. */
function openAndSave(bytes: Uint8Array): { nb: PlainNotebook; saved: Uint8Array } {
  const originals = new OriginalBytes();
  const nb = readNotebookBytes(bytes, originals);
  return { nb, saved: writeNotebookBytes(nb, originals) };
}

/** Saves a notebook and opens what was saved, as a fresh editor would. */
function saveAndReopen(nb: PlainNotebook): PlainNotebook {
  return readNotebookBytes(writeNotebookBytes(nb));
}

function codeCell(metadata: { [key: string]: unknown }, value = 'the cat'): PlainNotebook['cells'][number] {
  return { kind: 'code', value, languageId: 'plaintext', metadata };
}

function assertPositioned(f: () => unknown, where?: RegExp): NotebookFormatError {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof NotebookFormatError, `expected NotebookFormatError, got ${String(error)}`);
  assert.ok(error.position && error.position.line >= 1 && error.position.column >= 1, 'has a line and column');
  if (where) assert.match(error.message, where);
  return error;
}

describe('attention notebook file: regressions', function () {
  this.timeout(20000);

  describe('nesting 10,000 deep', () => {
    const DEPTH = 10_000;
    const deep = (inner: string) => '['.repeat(DEPTH) + inner + ']'.repeat(DEPTH);

    it('a broken file gets a positioned error, not RangeError', () => {
      const text = `{"format":"attention-notebook","version":2,"metadata":{"a":${'['.repeat(DEPTH)}}`;
      const e = assertPositioned(() => readNotebookBytes(enc.encode(text)), /not valid JSON/);
      assert.deepEqual(e.position, { line: 1, column: text.length });
      const mismatched = `${'['.repeat(DEPTH)}}`;
      assert.equal(findJsonSyntaxError(mismatched)?.column, DEPTH + 1);
    });

    it('a valid file with deep metadata and a deep JSON output opens and saves', () => {
      const text =
        `{"format":"attention-notebook","version":2,"metadata":{"a":${deep('1')}},"cells":[` +
        `{"kind":"attention","source":"x","metadata":{"b":${deep('"y"')}},` +
        `"outputs":[{"items":[{"mime":"application/json","json":${deep('2')}}]}]}]}`;
      const { nb, saved } = openAndSave(enc.encode(text));
      assert.equal(dec.decode(saved), text, 'unchanged: the same bytes');
      assert.equal(dec.decode(nb.cells[0].outputs?.[0].items[0].data), deep('2'));
      // Saved afresh in the canonical layout: deep values go on one line, so the file stays small.
      const canonical = dec.decode(writeNotebookBytes(nb));
      assert.ok(canonical.length < 3 * text.length, `${canonical.length} bytes`);
      assert.equal(serializeNotebook(parseNotebook(canonical)), canonical);
      const again = readNotebookBytes(enc.encode(canonical));
      assert.equal(compact(again.metadata), compact(nb.metadata));
      assert.equal(compact(again.cells[0].metadata), compact(nb.cells[0].metadata));
    });
  });

  describe('metadata keys named like the file\'s own fields', () => {
    it('notebook metadata {"version": 2} leaves the file openable', () => {
      const back = saveAndReopen({ metadata: { version: 2 }, cells: [codeCell({})] });
      assert.deepEqual(back.metadata, { version: 2 });
      assert.equal(back.cells.length, 1);
    });

    it('notebook metadata {"cells": []} loses no cell', () => {
      const back = saveAndReopen({ metadata: { cells: [], format: 'x', metadata: 1 }, cells: [codeCell({}), codeCell({}, 'b')] });
      assert.deepEqual(back.cells.map((c) => c.value), ['the cat', 'b']);
      assert.deepEqual(back.metadata, { cells: [], format: 'x', metadata: 1 });
    });

    it('cell metadata {"source": …} leaves the cell\'s text alone', () => {
      const back = saveAndReopen({ cells: [codeCell({ source: 'not the text', outputs: 3, execution: {} })] });
      assert.equal(back.cells[0].value, 'the cat');
      assert.deepEqual(back.cells[0].metadata, { source: 'not the text', outputs: 3, execution: {} });
    });

    it('cell metadata {"kind": "markdown"} leaves a code cell code', () => {
      const back = saveAndReopen({ cells: [codeCell({ kind: 'markdown', language: 'python' })] });
      assert.equal(back.cells[0].kind, 'code');
      assert.equal(back.cells[0].languageId, 'plaintext');
      assert.deepEqual(back.cells[0].metadata, { kind: 'markdown', language: 'python' });
    });

    it('keeps "__proto__", "$file"-like keys and invalid settings as they were', () => {
      const metadata = JSON.parse('{"__proto__":{"polluted":true},"$$file":1,"$$$file":[2],"file":3}') as { [key: string]: unknown };
      const cell = JSON.parse('{"__proto__":[1],"settings":"not settings","$file":{"reviewer":"ana"}}') as { [key: string]: unknown };
      const back = saveAndReopen({ metadata, cells: [codeCell(cell)] });
      assert.deepEqual(Object.keys(back.metadata ?? {}), ['__proto__', '$$file', '$$$file', 'file']);
      assert.equal(compact(back.metadata), compact(metadata));
      assert.equal(compact(back.cells[0].metadata), compact(cell));
      assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    });

    it('reads the version 1 layout, writes version 2, and the notebook is the same', () => {
      const v1 =
        '{"format":"attention-notebook","version":1,"metadata":{"title":"t"},"cells":[' +
        '{"kind":"attention","settings":{"heads":2},"source":"a","metadata":{"m":1},"reviewer":"ana"}],"generator":"old"}';
      const { nb, saved } = openAndSave(enc.encode(v1));
      assert.equal(dec.decode(saved), v1, 'unchanged: the same bytes');
      assert.deepEqual(nb.metadata, { metadata: { title: 't' }, generator: 'old' });
      assert.deepEqual(nb.cells[0].metadata, { settings: { heads: 2 }, metadata: { m: 1 }, reviewer: 'ana' });
      const written = dec.decode(writeNotebookBytes(nb));
      assert.match(written, /"version": 2/);
      const again = readNotebookBytes(enc.encode(written));
      assert.deepEqual(again.metadata, nb.metadata);
      assert.deepEqual(again.cells, nb.cells);
    });

    it('keeps unknown fields of a version 2 file through a save', () => {
      const text = '{"format":"attention-notebook","version":2,"cells":[{"kind":"markdown","source":"x","reviewer":"ana"}],"generator":"g"}';
      const nb = readNotebookBytes(enc.encode(text));
      nb.cells[0].value = 'y';
      const file = JSON.parse(dec.decode(writeNotebookBytes(nb))) as { generator: string; cells: { reviewer: string }[] };
      assert.equal(file.generator, 'g');
      assert.equal(file.cells[0].reviewer, 'ana');
    });
  });

  it('keeps a setting named "__proto__"', () => {
    const settings = JSON.parse('{"heads":2,"__proto__":{"x":1}}') as { [key: string]: unknown };
    const text = dec.decode(writeNotebookBytes({ cells: [codeCell({ settings })] }));
    assert.match(text, /"settings": \{\n\s+"heads": 2,\n\s+"__proto__": \{/);
    const back = readNotebookBytes(enc.encode(text)).cells[0].metadata?.settings as object;
    assert.deepEqual(Object.keys(back), ['heads', '__proto__']);
    assert.equal(compact(back), '{"heads":2,"__proto__":{"x":1}}');
  });

  it('saves an unchanged hand-written file with "outputs": [] and "execution": {} to the same bytes', () => {
    const hand =
      '{"format":"attention-notebook","version":2,"cells":[{"kind":"attention","source":"a","outputs":[],"execution":{},"metadata":{}},' +
      '{"kind":"markdown","source":"m","settings":{}}],"metadata":{}}';
    assert.equal(dec.decode(openAndSave(enc.encode(hand)).saved), hand);
    const v1 = hand.replace('"version":2', '"version":1');
    assert.equal(dec.decode(openAndSave(enc.encode(v1)).saved), v1);
  });

  it('keeps binary output as base64, never \\u escapes', () => {
    const size = 6 << 20; // what a 50 MB output does, at a size a unit test can afford
    const zeros = new Uint8Array(size);
    const ascii = Uint8Array.from({ length: size }, (_, i) => i % 32);
    for (const [mime, data] of [['application/octet-stream', ascii], ['application/x-anything', zeros], ['text/plain', zeros]] as const) {
      const nb: PlainNotebook = { cells: [{ ...codeCell({}), outputs: [{ items: [{ mime, data }] }] }] };
      const bytes = writeNotebookBytes(nb);
      const base64 = Buffer.from(data).toString('base64');
      assert.ok(bytes.length < base64.length + 1000, `${mime}: ${bytes.length} bytes for ${base64.length} of base64`);
      assert.ok(dec.decode(bytes).includes(`"base64": "${base64}"`), mime);
      assert.ok(Buffer.from(readNotebookBytes(bytes).cells[0].outputs?.[0].items[0].data ?? []).equals(Buffer.from(data)));
    }
    // Readable text stays text.
    const text = dec.decode(writeNotebookBytes({ cells: [{ ...codeCell({}), outputs: [{ items: [{ mime: 'text/plain', data: enc.encode('a\tb\r\n') }] }] }] }));
    assert.match(text, /"text": \["a\\tb\\r\\n"\]/);
  });

  it('names the byte offset, line and column of the first byte that is not UTF-8', () => {
    const bytes = Uint8Array.from([...enc.encode('{"format":\n  "attention-notebook", "x": "é'), 0xc3, 0x28, ...enc.encode('"}')]);
    const offset = bytes.indexOf(0x28) - 1;
    const e = assertPositioned(() => readNotebookBytes(bytes), /UTF-8/);
    assert.equal(e.where, `byte ${offset}`);
    assert.deepEqual(e.position, { line: 2, column: offset - 11 + 1 });
    assert.match(e.problem, new RegExp(`byte offset ${offset}\\b`));
    for (const [bad, at] of [[[0xff], 0], [[0x61, 0xe0, 0x80, 0x80], 1], [[0xed, 0xa0, 0x80], 0], [[0x61, 0xf0, 0x9f, 0x98], 1]] as const) {
      assert.equal(assertPositioned(() => readNotebookBytes(Uint8Array.from(bad))).where, `byte ${at}`, JSON.stringify(bad));
    }
  });

  it('gives content errors a line and column too', () => {
    const text = '{\n  "format": "attention-notebook",\n  "version": 2,\n  "cells": [\n    {"kind": "python"}\n  ]\n}\n';
    const e = assertPositioned(() => readNotebookBytes(enc.encode(text)), /cells\[0\]\.kind/);
    assert.deepEqual(e.position, { line: 5, column: 14 });
  });
});
