// Between the bytes of an .attnb file and the notebook VS Code holds, without importing vscode
// so that the whole mapping is unit tested, and so that the command line's `notebook check` and
// `notebook resave` run the very code the editor runs. The shapes here mirror vscode.NotebookData.
//
// Where things go (format version 2): the notebook's metadata is the file's top-level
// `metadata`, whole; a cell's metadata is the cell's `metadata`, except that valid `settings`
// are written as the cell's own `settings` field. Fields of the file this version does not know
// ride along in the metadata under one reserved key, FILE_FIELDS, so that a save keeps them; a
// metadata key that happens to be spelled like it is escaped (see toNotebookKey). Outputs and
// execution records map one to one. Version 1 files are read with version 1's mapping.
import {
  NOTEBOOK_VERSION,
  NotebookFormatError,
  formatPath,
  parseNotebook,
  putField,
  serializeNotebook,
  settingsProblem,
  type FileCell,
  type FileOutput,
  type FileOutputItem,
  type FilePath,
  type Json,
  type JsonObject,
  type NotebookFile,
} from '../shared/notebookFormat';
import { lineAndColumn, locateJsonPath } from '../shared/jsonSyntax';
import { writeJson } from '../shared/jsonText';

export interface PlainOutputItem {
  mime: string;
  data: Uint8Array;
}

export interface PlainOutput {
  items: PlainOutputItem[];
  metadata?: { [key: string]: unknown };
}

export interface PlainCell {
  kind: 'markup' | 'code';
  value: string;
  languageId: string;
  metadata?: { [key: string]: unknown };
  outputs?: PlainOutput[];
  executionSummary?: { executionOrder?: number; success?: boolean; timing?: { startTime: number; endTime: number } };
}

export interface PlainNotebook {
  metadata?: { [key: string]: unknown };
  cells: PlainCell[];
}

/** The language an attention cell has unless the file says otherwise. */
export const ATTENTION_LANGUAGE = 'plaintext';
const MARKDOWN_LANGUAGE = 'markdown';
/** Error outputs carry JSON, but under a MIME type that does not say so. */
const ERROR_MIME = 'application/vnd.code.notebook.error';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The metadata key that holds the fields of the file (or cell) this version does not know. */
export const FILE_FIELDS = '$file';
const SHIFTED = /^\$+file$/;

/**
 * A file's metadata key as the notebook holds it: "$file", "$$file", … gain one "$", so that
 * FILE_FIELDS is never a key of the file's own metadata; every other key is itself.
 */
function toNotebookKey(key: string): string {
  return SHIFTED.test(key) ? `$${key}` : key;
}

/** The inverse of toNotebookKey, for every key but FILE_FIELDS. */
function toFileKey(key: string): string {
  return SHIFTED.test(key) ? key.slice(1) : key;
}

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function copyInto(target: JsonObject, source: JsonObject | undefined, key: (k: string) => string): JsonObject {
  for (const [k, v] of Object.entries(source ?? {})) putField(target, key(k), v);
  return target;
}

// ---------------------------------------------------------------------------------------------
// File → notebook

export function fileToNotebook(file: NotebookFile): PlainNotebook {
  const legacy = (file.version ?? NOTEBOOK_VERSION) === 1;
  const metadata: JsonObject = {};
  if (legacy) {
    // Version 1 spread the notebook's metadata over the top level, beside its "metadata" key.
    if (file.metadata !== undefined) metadata.metadata = file.metadata;
    copyInto(metadata, file.extra, toNotebookKey);
  } else {
    copyInto(metadata, file.metadata, toNotebookKey);
    if (Object.keys(file.extra).length) metadata[FILE_FIELDS] = file.extra;
  }
  return { metadata, cells: file.cells.map((c, i) => cellToPlain(c, ['cells', i], legacy)) };
}

function cellMetadata(cell: FileCell, at: FilePath, legacy: boolean): JsonObject {
  const metadata: JsonObject = {};
  if (cell.settings !== undefined) metadata.settings = cell.settings as JsonObject;
  if (legacy) {
    if (cell.metadata !== undefined) metadata.metadata = cell.metadata;
    return copyInto(metadata, cell.extra, toNotebookKey);
  }
  if (cell.settings !== undefined && cell.metadata && Object.prototype.hasOwnProperty.call(cell.metadata, 'settings')) {
    const where = [...at, 'metadata', 'settings'];
    throw new NotebookFormatError(formatPath(where), 'settings given twice: here and in the cell\'s "settings"', undefined, where);
  }
  copyInto(metadata, cell.metadata, toNotebookKey);
  if (Object.keys(cell.extra).length) metadata[FILE_FIELDS] = cell.extra;
  return metadata;
}

function cellToPlain(cell: FileCell, at: FilePath, legacy: boolean): PlainCell {
  const markup = cell.kind === 'markdown';
  const plain: PlainCell = {
    kind: markup ? 'markup' : 'code',
    value: cell.source,
    languageId: cell.language ?? (markup ? MARKDOWN_LANGUAGE : ATTENTION_LANGUAGE),
    metadata: cellMetadata(cell, at, legacy),
  };
  if (cell.outputs !== undefined) plain.outputs = cell.outputs.map(outputToPlain);
  const ex = cell.execution;
  if (ex !== undefined) {
    plain.executionSummary = {};
    if (ex.order !== undefined) plain.executionSummary.executionOrder = ex.order;
    if (ex.success !== undefined) plain.executionSummary.success = ex.success;
    if (ex.startTime !== undefined && ex.endTime !== undefined) {
      plain.executionSummary.timing = { startTime: ex.startTime, endTime: ex.endTime };
    }
  }
  return plain;
}

function outputToPlain(o: FileOutput): PlainOutput {
  const plain: PlainOutput = { items: o.items.map(itemToPlain) };
  if (o.metadata !== undefined) plain.metadata = o.metadata;
  return plain;
}

function itemToPlain(it: FileOutputItem): PlainOutputItem {
  let data: Uint8Array;
  if (it.json !== undefined) data = encoder.encode(writeJson(it.json, { pretty: false }));
  else if (it.text !== undefined) data = encoder.encode(it.text);
  else data = Buffer.from(it.base64 ?? '', 'base64');
  return { mime: it.mime, data };
}

// ---------------------------------------------------------------------------------------------
// Notebook → file

export function notebookToFile(nb: PlainNotebook): NotebookFile {
  const { metadata, extra } = splitMetadata(nb.metadata, ['metadata'], TOP_FIELDS);
  const file: NotebookFile = { cells: nb.cells.map((c, i) => cellToFile(c, i)), extra };
  if (Object.keys(metadata).length) file.metadata = metadata;
  return file;
}

/** The file's own fields, which the fields it does not know may not be named after. */
const TOP_FIELDS = ['format', 'version', 'metadata', 'cells'];
const CELL_FIELDS = ['kind', 'language', 'settings', 'source', 'metadata', 'outputs', 'execution'];

/** The notebook's (or a cell's) metadata as the file's metadata and its unknown fields. */
function splitMetadata(
  held: { [key: string]: unknown } | undefined,
  at: FilePath,
  own: readonly string[],
  take?: (key: string, value: unknown) => boolean,
): { metadata: JsonObject; extra: JsonObject } {
  const metadata: JsonObject = {};
  let extra: JsonObject = {};
  for (const [k, v] of Object.entries(held ?? {})) {
    if (k === FILE_FIELDS) {
      if (!isPlainObject(v) || Object.keys(v).some((f) => own.includes(f))) {
        const where = [...at, FILE_FIELDS];
        throw new NotebookFormatError(
          formatPath(where),
          `reserved for fields of the file this version does not know: an object without ${own.join(', ')}`,
          undefined,
          where,
        );
      }
      extra = copyInto({}, v, (f) => f);
    } else if (!take?.(k, v)) putField(metadata, toFileKey(k), v);
  }
  return { metadata, extra };
}

function cellToFile(cell: PlainCell, index: number): FileCell {
  const markup = cell.kind === 'markup';
  let settings: JsonObject | undefined;
  // Settings the file can hold as settings go there; any others stay in the metadata as they are.
  const take = (k: string, v: unknown) => k === 'settings' && !settingsProblem(v, []) && ((settings = v as JsonObject), true);
  const { metadata, extra } = splitMetadata(cell.metadata, ['cells', index, 'metadata'], CELL_FIELDS, take);
  const file: FileCell = { kind: markup ? 'markdown' : 'attention', source: cell.value, extra };
  if (cell.languageId !== (markup ? MARKDOWN_LANGUAGE : ATTENTION_LANGUAGE)) file.language = cell.languageId;
  if (settings !== undefined) file.settings = settings;
  if (Object.keys(metadata).length) file.metadata = metadata;
  if (markup) return file;
  if (cell.outputs && cell.outputs.length) file.outputs = cell.outputs.map(outputToFile);
  const summary = cell.executionSummary;
  if (summary && (summary.executionOrder !== undefined || summary.success !== undefined || summary.timing)) {
    file.execution = {};
    if (summary.executionOrder !== undefined) file.execution.order = summary.executionOrder;
    if (summary.success !== undefined) file.execution.success = summary.success;
    if (summary.timing) {
      file.execution.startTime = summary.timing.startTime;
      file.execution.endTime = summary.timing.endTime;
    }
  }
  return file;
}

function outputToFile(o: PlainOutput): FileOutput {
  const out: FileOutput = { items: o.items.map(itemToFile) };
  if (o.metadata !== undefined && Object.keys(o.metadata).length) out.metadata = o.metadata as JsonObject;
  return out;
}

function isJsonMime(mime: string): boolean {
  return mime === ERROR_MIME || mime === 'application/json' || mime.endsWith('+json');
}

/** Bytes that are data, not text, whatever they happen to decode as. */
const BINARY_MIME = /^(?:image\/(?!svg)|audio\/|video\/|font\/|application\/(?:octet-stream|pdf|zip|gzip|wasm)$)/;
/** Characters JSON can write only as six-byte \u escapes: text full of them is data. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/**
 * Parsed JSON when that gives back the very same bytes, else UTF-8 text when the bytes are
 * text, else base64: whichever is used, the bytes come back unchanged on reopening. Binary
 * MIME types and bytes with control characters stay base64, never a file of \u escapes.
 */
export function itemToFile(item: PlainOutputItem): FileOutputItem {
  const base64 = (): FileOutputItem => ({ mime: item.mime, base64: Buffer.from(item.data).toString('base64') });
  if (BINARY_MIME.test(item.mime)) return base64();
  let text: string;
  try {
    text = utf8.decode(item.data);
  } catch {
    // Not UTF-8 (TextDecoder's fatal mode throws): keep the bytes as they are.
    return base64();
  }
  if (CONTROL.test(text)) return base64();
  if (isJsonMime(item.mime)) {
    const json = exactJson(text);
    if (json !== undefined) return { mime: item.mime, json };
  }
  return { mime: item.mime, text };
}

function exactJson(text: string): Json | undefined {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    // Not JSON after all: stored as text instead.
    return undefined;
  }
  return writeJson(parsed, { pretty: false }) === text ? parsed : undefined;
}

// ---------------------------------------------------------------------------------------------
// Bytes

/**
 * Files exactly as they were read, by the canonical text of their content, for files whose
 * layout is not the canonical one (written by hand, by another tool): saving such a file
 * without changing anything gives back its own bytes rather than a reformatted copy.
 */
export class OriginalBytes {
  private readonly byCanonical = new Map<string, Uint8Array>();

  constructor(
    private readonly maxEntries = 16,
    private readonly maxBytes = 64 * 2 ** 20,
  ) {}

  remember(canonical: string, original: Uint8Array): void {
    if (original.length > this.maxBytes) return;
    this.byCanonical.delete(canonical);
    this.byCanonical.set(canonical, original);
    while (this.byCanonical.size > this.maxEntries) {
      const oldest = this.byCanonical.keys().next().value as string;
      this.byCanonical.delete(oldest);
    }
  }

  lookup(canonical: string): Uint8Array | undefined {
    return this.byCanonical.get(canonical);
  }
}

/**
 * Reads a file's bytes; throws NotebookFormatError naming what is wrong and, always, where: a
 * line and column (for text that is not UTF-8, of the first bad byte, counting bytes).
 */
export function readNotebookBytes(bytes: Uint8Array, originals?: OriginalBytes): PlainNotebook {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    // TextDecoder's fatal mode throws on the first invalid sequence, without saying where.
    throw notUtf8(bytes);
  }
  let nb: PlainNotebook;
  try {
    nb = fileToNotebook(parseNotebook(text));
  } catch (e) {
    throw e instanceof NotebookFormatError ? positioned(e, text) : e;
  }
  if (originals && bytes.length > 0) {
    // What saving this notebook unchanged would write, through the very same mapping.
    const canonical = serializeNotebook(notebookToFile(nb));
    if (canonical !== text) originals.remember(canonical, bytes);
  }
  return nb;
}

/** The error with a line and column: where its path is written in the text. */
function positioned(e: NotebookFormatError, text: string): NotebookFormatError {
  if (e.position || !e.path) return e;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return new NotebookFormatError(e.where, e.problem, lineAndColumn(body, locateJsonPath(body, e.path)), e.path);
}

function notUtf8(bytes: Uint8Array): NotebookFormatError {
  const offset = firstInvalidUtf8(bytes);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = offset - lineStart + 1;
  const hex = offset < bytes.length ? `0x${bytes[offset].toString(16).toUpperCase().padStart(2, '0')}` : 'the end';
  return new NotebookFormatError(
    `byte ${offset}`,
    `not UTF-8 text: the sequence at byte offset ${offset} (line ${line}, byte ${column} of the line; ${hex}) is not valid UTF-8`,
    { line, column },
  );
}

/** Offset of the first byte that starts no valid UTF-8 sequence (the length when none). */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    // [length, lowest and highest second byte]: overlong forms and surrogates excluded.
    let n = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) [n, lo, hi] = [3, c === 0xe0 ? 0xa0 : 0x80, c === 0xed ? 0x9f : 0xbf];
    else if (c >= 0xf0 && c <= 0xf4) [n, lo, hi] = [4, c === 0xf0 ? 0x90 : 0x80, c === 0xf4 ? 0x8f : 0xbf];
    else return i;
    if (i + n > b.length) return i;
    if (n > 1 && (b[i + 1] < lo || b[i + 1] > hi)) return i;
    for (let k = 2; k < n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    i += n;
  }
  return b.length;
}

/** Writes the canonical bytes, or the file's own bytes when its content is unchanged. */
export function writeNotebookBytes(nb: PlainNotebook, originals?: OriginalBytes): Uint8Array {
  const canonical = serializeNotebook(notebookToFile(nb));
  return originals?.lookup(canonical) ?? encoder.encode(canonical);
}
