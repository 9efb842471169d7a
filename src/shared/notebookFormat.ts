// The .attnb file: JSON written in one canonical layout so that files diff well and a file read
// and written again without changes comes back byte for byte. Known keys are written in a fixed
// order; fields this version does not know are kept, in the order the file had them, after the
// known ones. Multi-line text is stored as a list of lines (each keeping its "\n") so a diff of
// one edited line touches one line. Pure: no vscode, DOM or Node imports.

import { findJsonSyntaxError } from './jsonSyntax';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const NOTEBOOK_FORMAT = 'attention-notebook';
export const NOTEBOOK_VERSION = 1;

/** A file that cannot be read, with the place in it that is wrong. */
export class NotebookFormatError extends Error {
  override readonly name = 'NotebookFormatError';
  constructor(
    /** Where in the file: "line 4, column 7" for JSON syntax, "cells[2].source" for content. */
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
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
    raw = JSON.parse(body);
  } catch {
    // JSON.parse does not always say where; find the place and the reason ourselves.
    const p = findJsonSyntaxError(body);
    if (p) throw new NotebookFormatError(`line ${p.line}, column ${p.column}`, `not valid JSON: ${p.reason}`);
    throw new NotebookFormatError('file', 'not valid JSON');
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

function fail(where: string, expected: string, found: unknown): never {
  throw new NotebookFormatError(where, `expected ${expected}, found ${describe(found)}`);
}

function object(v: unknown, where: string): JsonObject {
  return isObject(v) ? v : fail(where, 'an object', v);
}

function optionalObject(v: unknown, where: string): JsonObject | undefined {
  return v === undefined ? undefined : object(v, where);
}

/** The fields of `obj` whose names are not in `known`, in the order they appear. */
function extraFields(obj: JsonObject, known: readonly string[]): JsonObject {
  const extra: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    // defineProperty, so that a field named "__proto__" stays a field.
    if (!known.includes(k)) Object.defineProperty(extra, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return extra;
}

function readTop(raw: unknown): NotebookFile {
  const top = object(raw, 'file');
  if (top.format !== NOTEBOOK_FORMAT) fail('format', `"${NOTEBOOK_FORMAT}"`, top.format);
  if (typeof top.version !== 'number' || !Number.isInteger(top.version) || top.version < 1) {
    fail('version', 'a positive whole number', top.version);
  }
  if (top.version > NOTEBOOK_VERSION) {
    throw new NotebookFormatError(
      'version',
      `this file has format version ${top.version}, written by a newer Attention Explorer; this one reads version ${NOTEBOOK_VERSION}`,
    );
  }
  if (!Array.isArray(top.cells)) fail('cells', 'a list of cells', top.cells);
  return {
    metadata: optionalObject(top.metadata, 'metadata'),
    cells: top.cells.map((c, i) => readCell(c, `cells[${i}]`)),
    extra: extraFields(top, TOP_KEYS),
  };
}

/** Source text: a string, or a list of lines that are joined as they are. */
function readLines(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    return v.map((line, i) => (typeof line === 'string' ? line : fail(`${where}[${i}]`, 'a string', line))).join('');
  }
  return fail(where, 'a string or a list of lines', v);
}

function readCell(raw: unknown, where: string): FileCell {
  const c = object(raw, where);
  if (c.kind !== 'markdown' && c.kind !== 'attention') fail(`${where}.kind`, '"markdown" or "attention"', c.kind);
  if (c.language !== undefined && typeof c.language !== 'string') fail(`${where}.language`, 'a string', c.language);
  const cell: FileCell = { kind: c.kind, source: readLines(c.source ?? '', `${where}.source`), extra: extraFields(c, CELL_KEYS) };
  if (c.language !== undefined) cell.language = c.language;
  if (c.settings !== undefined) cell.settings = readSettings(c.settings, `${where}.settings`);
  if (c.metadata !== undefined) cell.metadata = object(c.metadata, `${where}.metadata`);
  if (c.kind === 'markdown' && (c.outputs !== undefined || c.execution !== undefined)) {
    throw new NotebookFormatError(where, 'a markdown cell has no outputs or execution');
  }
  if (c.outputs !== undefined) {
    if (!Array.isArray(c.outputs)) fail(`${where}.outputs`, 'a list', c.outputs);
    cell.outputs = c.outputs.map((o, i) => readOutput(o, `${where}.outputs[${i}]`));
  }
  if (c.execution !== undefined) cell.execution = readExecution(c.execution, `${where}.execution`);
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

/** Types only: values out of range are reported when the cell runs, where the person is looking. */
function readSettings(raw: unknown, where: string): CellSettings {
  const s = object(raw, where);
  for (const key of SETTING_KEYS) {
    const v = s[key];
    if (v === undefined) continue;
    const type = SETTING_TYPES[key];
    if (type === 'int' ? !Number.isInteger(v) : typeof v !== type) {
      fail(`${where}.${key}`, type === 'int' ? 'a whole number' : `a ${type}`, v);
    }
  }
  return s as CellSettings;
}

/**
 * Outputs, their items and execution records mirror what the notebook itself holds, which has no
 * room for fields of its own: an unknown field there is refused rather than dropped on save.
 */
function onlyKnown(obj: JsonObject, known: readonly string[], where: string): void {
  const unknown = Object.keys(extraFields(obj, known));
  if (unknown.length) {
    throw new NotebookFormatError(`${where}.${unknown[0]}`, `unknown field; allowed here: ${known.join(', ')}`);
  }
}

function readOutput(raw: unknown, where: string): FileOutput {
  const o = object(raw, where);
  onlyKnown(o, OUTPUT_KEYS, where);
  if (!Array.isArray(o.items)) fail(`${where}.items`, 'a list', o.items);
  const out: FileOutput = { items: o.items.map((it, i) => readItem(it, `${where}.items[${i}]`)) };
  if (o.metadata !== undefined) out.metadata = object(o.metadata, `${where}.metadata`);
  return out;
}

function readItem(raw: unknown, where: string): FileOutputItem {
  const it = object(raw, where);
  onlyKnown(it, ITEM_KEYS, where);
  if (typeof it.mime !== 'string' || it.mime === '') fail(`${where}.mime`, 'a MIME type', it.mime);
  const present = ['json', 'text', 'base64'].filter((k) => it[k] !== undefined);
  if (present.length !== 1) {
    throw new NotebookFormatError(where, `needs exactly one of "json", "text" or "base64", found ${present.length}`);
  }
  const item: FileOutputItem = { mime: it.mime };
  if (it.json !== undefined) item.json = it.json;
  if (it.text !== undefined) item.text = readLines(it.text, `${where}.text`);
  if (it.base64 !== undefined) {
    if (typeof it.base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(it.base64) || it.base64.length % 4 !== 0) {
      fail(`${where}.base64`, 'base64 text', it.base64);
    }
    item.base64 = it.base64;
  }
  return item;
}

function readExecution(raw: unknown, where: string): FileExecution {
  const e = object(raw, where);
  onlyKnown(e, EXECUTION_KEYS, where);
  const ex: FileExecution = {};
  for (const key of ['order', 'startTime', 'endTime'] as const) {
    const v = e[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}.${key}`, 'a number', v);
    ex[key] = v;
  }
  if ((ex.startTime === undefined) !== (ex.endTime === undefined)) {
    throw new NotebookFormatError(where, 'startTime and endTime go together');
  }
  if (e.success !== undefined) {
    if (typeof e.success !== 'boolean') fail(`${where}.success`, 'true or false', e.success);
    ex.success = e.success;
  }
  return ex;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The one canonical text of a notebook. */
export function serializeNotebook(file: NotebookFile): string {
  const top: JsonObject = { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION };
  if (file.metadata !== undefined) top.metadata = file.metadata;
  top.cells = file.cells.map(writeCell);
  return `${stringify({ ...top, ...file.extra }, '')}\n`;
}

/** Text as one string when it is one line, else a list of lines that each keep their "\n". */
function writeLines(text: string): Json {
  if (!text.includes('\n')) return text;
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function writeCell(cell: FileCell): JsonObject {
  const c: JsonObject = { kind: cell.kind };
  if (cell.language !== undefined) c.language = cell.language;
  if (cell.settings !== undefined) c.settings = orderSettings(cell.settings);
  c.source = writeLines(cell.source);
  if (cell.metadata !== undefined) c.metadata = cell.metadata;
  if (cell.outputs !== undefined) c.outputs = cell.outputs.map(writeOutput);
  if (cell.execution !== undefined) c.execution = writeExecution(cell.execution);
  return { ...c, ...cell.extra };
}

export function orderSettings(s: CellSettings): JsonObject {
  const out: JsonObject = {};
  for (const key of SETTING_KEYS) if (s[key] !== undefined) out[key] = s[key] as Json;
  for (const [k, v] of Object.entries(s)) if (!(SETTING_KEYS as readonly string[]).includes(k) && v !== undefined) out[k] = v;
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

/** Lists of plain values short enough for one line stay on one line. */
const INLINE_WIDTH = 100;

/**
 * JSON.stringify with two-space indents, except that a list of numbers, strings and booleans
 * that fits on one line is written on one line (token lists, shapes): shorter files, same data.
 */
export function stringify(value: Json, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const line = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
      if (line.length + indent.length <= INLINE_WIDTH) return line;
    }
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
}
