// Properties of the .attnb format over generated notebooks: what is written reads back as it
// was (metadata keys named like the file's own fields included), what was written is written
// again byte for byte, and any bytes at all give a notebook or an error with a place.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  NotebookFormatError,
  parseNotebook,
  putField,
  serializeNotebook,
  SETTING_KEYS,
  type FileCell,
  type FileOutput,
  type FileOutputItem,
  type Json,
  type JsonObject,
  type NotebookFile,
} from '../../../src/shared/notebookFormat';
import { writeJson } from '../../../src/shared/jsonText';
import {
  FILE_FIELDS,
  OriginalBytes,
  readNotebookBytes,
  writeNotebookBytes,
  type PlainCell,
  type PlainNotebook,
  type PlainOutput,
} from '../../../src/notebookFile/format';

const RUNS = { numRuns: 100 };
const enc = new TextEncoder();
const TOP_FIELDS = ['format', 'version', 'metadata', 'cells'];
const CELL_FIELDS = ['kind', 'language', 'settings', 'source', 'metadata', 'outputs', 'execution'];

// ---------------------------------------------------------------------------------------------
// Values

/** Keys that once collided with the file's own fields, and any others. */
const TRICKY = ['__proto__', 'version', 'cells', 'kind', 'source', 'format', 'metadata', 'settings', 'outputs', 'execution', 'language', 'constructor', '$$file', '$$$file', 'file'];
const anyKey = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 6 }));
/** Text with the characters that need care: line ends, quotes, escapes, controls, CJK, emoji. */
const text = fc.array(fc.constantFrom('a', 'b ', '\n', '\r\n', '"', '\\', '\u0000', '\t', '我', '😀'), { maxLength: 8 }).map((p) => p.join(''));
const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (d === 0 ? 0 : d)), // JSON has no -0
  text,
);

/** An object built with defineProperty, so that "__proto__" is a key like the others. */
function objectOf(key: fc.Arbitrary<string>, value: fc.Arbitrary<Json>, maxLength = 4): fc.Arbitrary<JsonObject> {
  return fc.array(fc.tuple(key, value), { maxLength }).map((entries) => {
    const o: JsonObject = {};
    for (const [k, v] of entries) putField(o, k, v);
    return o;
  });
}

const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof({ maxDepth: 3, depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), objectOf(anyKey, tie('value'), 3)),
})).value;

const keyNotIn = (known: readonly string[]) => anyKey.filter((k) => !known.includes(k));
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  text.map((t) => enc.encode(t)),
  json.map((v) => enc.encode(writeJson(v, { pretty: false }))),
);
const mime = fc.constantFrom('text/plain', 'application/json', 'application/vnd.code.notebook.error', 'image/png', 'x/y+json');

/** A plain object (fc.record makes them without a prototype) without its undefined fields. */
function defined<T extends object>(record: T): T {
  const o = { ...record };
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

// ---------------------------------------------------------------------------------------------
// The file as the parser sees it

const settings = fc
  .tuple(
    fc.record(
      { engine: text, model: text, heads: fc.integer(), dModel: fc.integer(), seed: fc.integer(), mask: text, view: text, scale: fc.boolean() },
      { requiredKeys: [] },
    ),
    objectOf(keyNotIn(SETTING_KEYS), json, 2),
  )
  .map(([known, other]) => {
    const s: JsonObject = { ...known };
    for (const [k, v] of Object.entries(other)) putField(s, k, v);
    return s;
  });

const fileItem: fc.Arbitrary<FileOutputItem> = fc.oneof(
  fc.record({ mime, json }).map(defined),
  fc.record({ mime, text }).map(defined),
  fc.record({ mime, base64: fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64')) }).map(defined),
);
const fileOutput: fc.Arbitrary<FileOutput> = fc
  .record({ items: fc.array(fileItem, { maxLength: 3 }), metadata: optional(objectOf(anyKey, json)) })
  .map(defined);
const execution = fc
  .record({ order: optional(fc.integer()), success: optional(fc.boolean()), time: optional(fc.tuple(fc.integer(), fc.integer())) })
  .map(({ order, success, time }) => defined({ order, success, startTime: time?.[0], endTime: time?.[1] }));

const fileCell: fc.Arbitrary<FileCell> = fc
  .record({
    kind: fc.constantFrom('markdown' as const, 'attention' as const),
    language: optional(fc.constantFrom('python', 'markdown', 'plaintext')),
    settings: optional(settings),
    source: text,
    metadata: optional(objectOf(anyKey, json)),
    outputs: optional(fc.array(fileOutput, { maxLength: 2 })),
    execution: optional(execution),
    extra: objectOf(keyNotIn(CELL_FIELDS), json, 2),
  })
  .map((c) => defined(c.kind === 'markdown' ? { ...c, outputs: undefined, execution: undefined } : c));

const notebookFile: fc.Arbitrary<NotebookFile> = fc
  .record({
    version: fc.constant(2),
    metadata: optional(objectOf(anyKey, json)),
    cells: fc.array(fileCell, { maxLength: 3 }),
    extra: objectOf(keyNotIn(TOP_FIELDS), json, 2),
  })
  .map(defined);

// ---------------------------------------------------------------------------------------------
// The notebook as VS Code holds it

/** Metadata VS Code may hold: any keys, and the file's unknown fields under FILE_FIELDS. */
function heldMetadata(own: readonly string[]): fc.Arbitrary<JsonObject> {
  return fc
    .tuple(objectOf(anyKey, json), optional(objectOf(keyNotIn(own), json, 2).filter((o) => Object.keys(o).length > 0)))
    .map(([m, fields]) => {
      if (fields !== undefined) putField(m, FILE_FIELDS, fields);
      return m;
    });
}

const plainOutput: fc.Arbitrary<PlainOutput> = fc
  .record({
    items: fc.array(fc.record({ mime, data: bytes }).map(defined), { maxLength: 3 }),
    metadata: optional(objectOf(anyKey, json).filter((o) => Object.keys(o).length > 0)),
  })
  .map(defined);

const summary = fc
  .record({ executionOrder: optional(fc.integer()), success: optional(fc.boolean()), timing: optional(fc.record({ startTime: fc.integer(), endTime: fc.integer() }).map(defined)) })
  .map(defined)
  .filter((s) => Object.keys(s).length > 0);

const plainCell: fc.Arbitrary<PlainCell> = fc
  .record({
    kind: fc.constantFrom('markup' as const, 'code' as const),
    value: text,
    languageId: fc.constantFrom('plaintext', 'markdown', 'python'),
    metadata: heldMetadata(CELL_FIELDS),
    outputs: optional(fc.array(plainOutput, { minLength: 1, maxLength: 2 })),
    executionSummary: optional(summary),
  })
  .map((c) => defined(c.kind === 'markup' ? { ...c, outputs: undefined, executionSummary: undefined } : c));

const plainNotebook: fc.Arbitrary<PlainNotebook> = fc
  .record({ metadata: heldMetadata(TOP_FIELDS), cells: fc.array(plainCell, { maxLength: 3 }) })
  .map(defined);

/** Output bytes as plain numbers: the reader gives Buffers or Uint8Arrays alike. */
function comparable(nb: PlainNotebook): unknown {
  return {
    metadata: nb.metadata,
    cells: nb.cells.map((c) => ({ ...c, outputs: c.outputs?.map((o) => ({ ...o, items: o.items.map((i) => ({ mime: i.mime, data: [...i.data] })) })) })),
  };
}

// ---------------------------------------------------------------------------------------------

describe('attention notebook file: properties', function () {
  this.timeout(60000);

  it('parse(serialize(file)) is the file, whatever its metadata keys', () => {
    fc.assert(
      fc.property(notebookFile, (file) => {
        assert.deepStrictEqual(parseNotebook(serializeNotebook(file)), file);
      }),
      RUNS,
    );
  });

  it('serialize(parse(text)) is the text, for text it wrote', () => {
    fc.assert(
      fc.property(notebookFile, (file) => {
        const text = serializeNotebook(file);
        assert.equal(serializeNotebook(parseNotebook(text)), text);
      }),
      RUNS,
    );
  });

  it('a notebook saved and opened again is the same notebook, and saves to the same bytes', () => {
    fc.assert(
      fc.property(plainNotebook, (nb) => {
        const saved = writeNotebookBytes(nb);
        const originals = new OriginalBytes();
        const back = readNotebookBytes(saved, originals);
        assert.deepStrictEqual(comparable(back), comparable(nb));
        assert.ok(Buffer.from(writeNotebookBytes(back, originals)).equals(Buffer.from(saved)));
        assert.ok(Buffer.from(writeNotebookBytes(back)).equals(Buffer.from(saved)));
      }),
      RUNS,
    );
  });

  /** A written file with some bytes replaced, inserted or cut. */
  const damaged = fc
    .tuple(
      notebookFile.map((f) => enc.encode(serializeNotebook(f))),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 }),
    )
    .map(([file, edits]) => {
      let b = [...file];
      for (const [at, byte, how] of edits) {
        const i = at % (b.length + 1);
        if (how === 'set') b[i] = byte;
        else if (how === 'insert') b.splice(i, 0, byte);
        else b = b.slice(0, i);
      }
      return Uint8Array.from(b);
    });

  it('any bytes give a notebook or an error with a line and column, never another exception', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), damaged), (b) => {
        try {
          readNotebookBytes(b, new OriginalBytes());
        } catch (e) {
          assert.ok(e instanceof NotebookFormatError, `not a NotebookFormatError: ${String(e)}`);
          assert.ok(e.position && e.position.line >= 1 && e.position.column >= 1, `no position: ${e.message}`);
        }
      }),
      RUNS,
    );
  });
});
