// The .attnb file: JSON written in one canonical layout so that files diff well and a file read
// and written again without changes comes back byte for byte. Known keys are written in a fixed
// order; fields this version does not know are kept, in the order the file had them, after the
// known ones. Multi-line text is stored as a list of lines (each keeping its "\n") so a diff of
// one edited line touches one line. Pure: no vscode, DOM or Node imports.

import { findJsonSyntaxError, type JsonPathStep } from './jsonSyntax';
import { writeJson, type Json } from './jsonText';

export type { Json } from './jsonText';
export type JsonObject = { [key: string]: Json };

export const NOTEBOOK_FORMAT = 'attention-notebook';
/**
 * 2: the notebook's metadata is the file's "metadata", whole. Version 1 spread it over the top
 * level (and a cell's over the cell), where a key such as "cells" or "kind" overwrote the file's
 * own; version 1 files are still read, and written again as version 2 once changed.
 */
export const NOTEBOOK_VERSION = 2;

/** Where in a file: property names and list positions from the top. */
export type FilePath = readonly JsonPathStep[];

/** 1-based; columns count UTF-16 code units (after a byte order mark), or bytes for text that is not UTF-8. */
export interface FilePosition {
  line: number;
  column: number;
}

/** A file that cannot be read, with the place in it that is wrong. */
export class NotebookFormatError extends Error {
  override readonly name = 'NotebookFormatError';
  constructor(
    /** Where in the file: "line 4, column 7" for JSON syntax, "cells[2].source" for content. */
    readonly where: string,
    readonly problem: string,
    /** The place as a line and column, when known; see notebookErrorPosition for the rest. */
    readonly position?: FilePosition,
    /** The place as a path through the JSON, for content that parses but is wrong. */
    readonly path?: FilePath,
  ) {
    super(`${where}: ${problem}`);
  }
}

/** "cells[2].source" for ["cells", 2, "source"]; "file" for the whole. */
export function formatPath(path: FilePath): string {
  if (path.length === 0) return 'file';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** A property named by a file, set as a property even when it is "__proto__". */
export function putField(obj: { [key: string]: unknown }, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export type CellKind = 'markdown' | 'attention';

/** Settings of one attention cell; absent ones fall back to the user's settings when run. */
export interface CellSettings {
  engine?: string;
  model?: string;
  heads?: number;
  dModel?: number;
  seed?: number;
  mask?: string;
  view?: string;
  scale?: boolean;
  /** New tokens a causal language model (`model`) generates after the cell's text before the attention is shown. */
  generate?: number;
  /** Settings this version does not know, kept as found. */
  [key: string]: Json | undefined;
}

export interface FileOutputItem {
  mime: string;
  /** Exactly one of these holds the data: parsed JSON, UTF-8 text, or base64 bytes. */
  json?: Json;
  text?: string;
  base64?: string;
}

export interface FileOutput {
  items: FileOutputItem[];
  metadata?: JsonObject;
}

export interface FileExecution {
  order?: number;
  success?: boolean;
  startTime?: number;
  endTime?: number;
}

export interface FileCell {
  kind: CellKind;
  /** Only when it differs from the kind's default (markdown, plaintext). */
  language?: string;
  settings?: CellSettings;
  source: string;
  metadata?: JsonObject;
  outputs?: FileOutput[];
  execution?: FileExecution;
  extra: JsonObject;
}

export interface NotebookFile {
  /** The version the file was written in, when read from one; written files get NOTEBOOK_VERSION. */
  version?: number;
  metadata?: JsonObject;
  cells: FileCell[];
  extra: JsonObject;
}

const TOP_KEYS = ['format', 'version', 'metadata', 'cells'];
const CELL_KEYS = ['kind', 'language', 'settings', 'source', 'metadata', 'outputs', 'execution'];
export const SETTING_KEYS = ['engine', 'model', 'heads', 'dModel', 'seed', 'mask', 'view', 'scale'] as const;
const OUTPUT_KEYS = ['items', 'metadata'];
const ITEM_KEYS = ['mime', 'json', 'text', 'base64'];
const EXECUTION_KEYS = ['order', 'success', 'startTime', 'endTime'];

// ---------------------------------------------------------------------------------------------
// Reading

/** Parses a file's text. Empty text is an empty notebook (a file just created on disk). */
export function parseNotebook(text: string): NotebookFile {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { cells: [], extra: {} };
  let raw: unknown;
  try {
    // V8's JSON.parse does not recurse: any depth parses.
    raw = JSON.parse(body);
  } catch {
    // JSON.parse does not always say where; find the place and the reason ourselves.
    const p = findJsonSyntaxError(body);
    if (p) {
      const { line, column } = p;
      throw new NotebookFormatError(`line ${line}, column ${column}`, `not valid JSON: ${p.reason}`, { line, column });
    }
    throw new NotebookFormatError('file', 'not valid JSON', { line: 1, column: 1 });
  }
  return readTop(raw);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}

function refuse(at: FilePath, problem: string): never {
  throw new NotebookFormatError(formatPath(at), problem, undefined, at);
}

function fail(at: FilePath, expected: string, found: unknown): never {
  return refuse(at, `expected ${expected}, found ${describe(found)}`);
}

function object(v: unknown, at: FilePath): JsonObject {
  return isObject(v) ? v : fail(at, 'an object', v);
}

/** The fields of `obj` whose names are not in `known`, in the order they appear. */
function extraFields(obj: JsonObject, known: readonly string[]): JsonObject {
  const extra: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (!known.includes(k)) putField(extra, k, v);
  return extra;
}

function readTop(raw: unknown): NotebookFile {
  const top = object(raw, []);
  if (top.format !== NOTEBOOK_FORMAT) fail(['format'], `"${NOTEBOOK_FORMAT}"`, top.format);
  if (typeof top.version !== 'number' || !Number.isInteger(top.version) || top.version < 1) {
    fail(['version'], 'a positive whole number', top.version);
  }
  if (top.version > NOTEBOOK_VERSION) {
    refuse(
      ['version'],
      `this file has format version ${top.version}, written by a newer Attention Explorer; this one reads version ${NOTEBOOK_VERSION}`,
    );
  }
  if (!Array.isArray(top.cells)) fail(['cells'], 'a list of cells', top.cells);
  const file: NotebookFile = {
    version: top.version,
    cells: top.cells.map((c, i) => readCell(c, ['cells', i])),
    extra: extraFields(top, TOP_KEYS),
  };
  if (top.metadata !== undefined) file.metadata = object(top.metadata, ['metadata']);
  return file;
}

/** Source text: a string, or a list of lines that are joined as they are. */
function readLines(v: unknown, at: FilePath): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    return v.map((line, i) => (typeof line === 'string' ? line : fail([...at, i], 'a string', line))).join('');
  }
  return fail(at, 'a string or a list of lines', v);
}

function readCell(raw: unknown, at: FilePath): FileCell {
  const c = object(raw, at);
  if (c.kind !== 'markdown' && c.kind !== 'attention') fail([...at, 'kind'], '"markdown" or "attention"', c.kind);
  if (c.language !== undefined && typeof c.language !== 'string') fail([...at, 'language'], 'a string', c.language);
  const cell: FileCell = { kind: c.kind, source: readLines(c.source ?? '', [...at, 'source']), extra: extraFields(c, CELL_KEYS) };
  if (c.language !== undefined) cell.language = c.language;
  if (c.settings !== undefined) cell.settings = readSettings(c.settings, [...at, 'settings']);
  if (c.metadata !== undefined) cell.metadata = object(c.metadata, [...at, 'metadata']);
  if (c.kind === 'markdown' && (c.outputs !== undefined || c.execution !== undefined)) {
    refuse(at, 'a markdown cell has no outputs or execution');
  }
  if (c.outputs !== undefined) {
    if (!Array.isArray(c.outputs)) fail([...at, 'outputs'], 'a list', c.outputs);
    cell.outputs = c.outputs.map((o, i) => readOutput(o, [...at, 'outputs', i]));
  }
  if (c.execution !== undefined) cell.execution = readExecution(c.execution, [...at, 'execution']);
  return cell;
}

const SETTING_TYPES: Record<(typeof SETTING_KEYS)[number], 'string' | 'int' | 'boolean'> = {
  engine: 'string',
  model: 'string',
  heads: 'int',
  dModel: 'int',
  seed: 'int',
  mask: 'string',
  view: 'string',
  scale: 'boolean',
};

/** Where settings are wrong, if they are: types only (see readSettings). */
export function settingsProblem(raw: unknown, at: FilePath): NotebookFormatError | undefined {
  try {
    readSettings(raw, at);
    return undefined;
  } catch (e) {
    if (e instanceof NotebookFormatError) return e;
    throw e;
  }
}

/** Types only: values out of range are reported when the cell runs, where the person is looking. */
function readSettings(raw: unknown, at: FilePath): CellSettings {
  const s = object(raw, at);
  for (const key of SETTING_KEYS) {
    const v = Object.prototype.hasOwnProperty.call(s, key) ? s[key] : undefined;
    if (v === undefined) continue;
    const type = SETTING_TYPES[key];
    if (type === 'int' ? !Number.isInteger(v) : typeof v !== type) {
      fail([...at, key], type === 'int' ? 'a whole number' : `a ${type}`, v);
    }
  }
  return s as CellSettings;
}

/**
 * Outputs, their items and execution records mirror what the notebook itself holds, which has no
 * room for fields of its own: an unknown field there is refused rather than dropped on save.
 */
function onlyKnown(obj: JsonObject, known: readonly string[], at: FilePath): void {
  const unknown = Object.keys(extraFields(obj, known));
  if (unknown.length) refuse([...at, unknown[0]], `unknown field; allowed here: ${known.join(', ')}`);
}

function readOutput(raw: unknown, at: FilePath): FileOutput {
  const o = object(raw, at);
  onlyKnown(o, OUTPUT_KEYS, at);
  if (!Array.isArray(o.items)) fail([...at, 'items'], 'a list', o.items);
  const out: FileOutput = { items: o.items.map((it, i) => readItem(it, [...at, 'items', i])) };
  if (o.metadata !== undefined) out.metadata = object(o.metadata, [...at, 'metadata']);
  return out;
}

function readItem(raw: unknown, at: FilePath): FileOutputItem {
  const it = object(raw, at);
  onlyKnown(it, ITEM_KEYS, at);
  if (typeof it.mime !== 'string' || it.mime === '') fail([...at, 'mime'], 'a MIME type', it.mime);
  const present = ['json', 'text', 'base64'].filter((k) => it[k] !== undefined);
  if (present.length !== 1) refuse(at, `needs exactly one of "json", "text" or "base64", found ${present.length}`);
  const item: FileOutputItem = { mime: it.mime };
  if (it.json !== undefined) item.json = it.json;
  if (it.text !== undefined) item.text = readLines(it.text, [...at, 'text']);
  if (it.base64 !== undefined) {
    if (typeof it.base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(it.base64) || it.base64.length % 4 !== 0) {
      fail([...at, 'base64'], 'base64 text', it.base64);
    }
    item.base64 = it.base64;
  }
  return item;
}

function readExecution(raw: unknown, at: FilePath): FileExecution {
  const e = object(raw, at);
  onlyKnown(e, EXECUTION_KEYS, at);
  const ex: FileExecution = {};
  for (const key of ['order', 'startTime', 'endTime'] as const) {
    const v = e[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail([...at, key], 'a number', v);
    ex[key] = v;
  }
  if ((ex.startTime === undefined) !== (ex.endTime === undefined)) refuse(at, 'startTime and endTime go together');
  if (e.success !== undefined) {
    if (typeof e.success !== 'boolean') fail([...at, 'success'], 'true or false', e.success);
    ex.success = e.success;
  }
  return ex;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The one canonical text of a notebook. */
export function serializeNotebook(file: NotebookFile): string {
  const top: JsonObject = { format: NOTEBOOK_FORMAT, version: file.version ?? NOTEBOOK_VERSION };
  if (file.metadata !== undefined) top.metadata = file.metadata;
  top.cells = file.cells.map(writeCell);
  return `${writeJson(withExtra(top, file.extra, []), { pretty: true, inlineWidth: INLINE_WIDTH, prettyDepth: PRETTY_DEPTH })}\n`;
}

/**
 * The known fields, then the unknown ones. An unknown field with a known name cannot be written
 * without overwriting the known one (a corrupt file), so it is refused instead.
 */
function withExtra(known: JsonObject, extra: JsonObject, at: FilePath): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(known)) putField(out, k, v);
  for (const [k, v] of Object.entries(extra)) {
    if (Object.prototype.hasOwnProperty.call(out, k)) refuse([...at, k], 'a field of this name is the file\'s own');
    putField(out, k, v);
  }
  return out;
}

/** Text as one string when it is one line, else a list of lines that each keep their "\n". */
function writeLines(text: string): Json {
  if (!text.includes('\n')) return text;
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function writeCell(cell: FileCell, index: number): JsonObject {
  const c: JsonObject = { kind: cell.kind };
  if (cell.language !== undefined) c.language = cell.language;
  if (cell.settings !== undefined) c.settings = orderSettings(cell.settings);
  c.source = writeLines(cell.source);
  if (cell.metadata !== undefined) c.metadata = cell.metadata;
  if (cell.outputs !== undefined) c.outputs = cell.outputs.map(writeOutput);
  if (cell.execution !== undefined) c.execution = writeExecution(cell.execution);
  return withExtra(c, cell.extra, ['cells', index]);
}

/** Known settings in a fixed order, then the others as they were ("__proto__" included). */
export function orderSettings(s: CellSettings): JsonObject {
  const out: JsonObject = {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(s, k) && s[k] !== undefined;
  for (const key of SETTING_KEYS) if (has(key)) putField(out, key, s[key]);
  for (const k of Object.keys(s)) if (!(SETTING_KEYS as readonly string[]).includes(k) && has(k)) putField(out, k, s[k]);
  return out;
}

function writeOutput(o: FileOutput): JsonObject {
  const out: JsonObject = { items: o.items.map(writeItem) };
  if (o.metadata !== undefined) out.metadata = o.metadata;
  return out;
}

function writeItem(it: FileOutputItem): JsonObject {
  const out: JsonObject = { mime: it.mime };
  if (it.json !== undefined) out.json = it.json;
  else if (it.text !== undefined) out.text = writeLines(it.text);
  else out.base64 = it.base64 ?? '';
  return out;
}

function writeExecution(e: FileExecution): JsonObject {
  const out: JsonObject = {};
  for (const key of EXECUTION_KEYS as (keyof FileExecution)[]) {
    const v = e[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** Lists of plain values short enough for one line stay on one line (token lists, shapes). */
const INLINE_WIDTH = 100;
/** Values nested deeper than this (never the file's own fields) are written on one line. */
const PRETTY_DEPTH = 32;
