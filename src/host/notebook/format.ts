// Between the bytes of an .attnb file and the notebook VS Code holds, without importing vscode
// so that the whole mapping is unit tested. The shapes here mirror vscode.NotebookData.
//
// Where things go: the file's top-level `metadata` and any top-level fields this version does
// not know become the notebook's metadata; a cell's `settings`, `metadata` and unknown fields
// become the cell's metadata; outputs and execution records map one to one.
import {
  NotebookFormatError,
  parseNotebook,
  serializeNotebook,
  type FileCell,
  type FileOutput,
  type FileOutputItem,
  type Json,
  type JsonObject,
  type NotebookFile,
} from '../../shared/notebookFormat';

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

// ---------------------------------------------------------------------------------------------
// File → notebook

export function fileToNotebook(file: NotebookFile): PlainNotebook {
  const metadata: JsonObject = {};
  if (file.metadata !== undefined) metadata.metadata = file.metadata;
  return { metadata: { ...metadata, ...file.extra }, cells: file.cells.map(cellToPlain) };
}

function cellToPlain(cell: FileCell): PlainCell {
  const markup = cell.kind === 'markdown';
  const metadata: JsonObject = {};
  if (cell.settings !== undefined) metadata.settings = cell.settings as JsonObject;
  if (cell.metadata !== undefined) metadata.metadata = cell.metadata;
  const plain: PlainCell = {
    kind: markup ? 'markup' : 'code',
    value: cell.source,
    languageId: cell.language ?? (markup ? MARKDOWN_LANGUAGE : ATTENTION_LANGUAGE),
    metadata: { ...metadata, ...cell.extra },
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
  if (it.json !== undefined) data = encoder.encode(JSON.stringify(it.json));
  else if (it.text !== undefined) data = encoder.encode(it.text);
  else data = Buffer.from(it.base64 ?? '', 'base64');
  return { mime: it.mime, data };
}

// ---------------------------------------------------------------------------------------------
// Notebook → file

export function notebookToFile(nb: PlainNotebook): NotebookFile {
  const { metadata, ...extra } = (nb.metadata ?? {}) as JsonObject;
  const file: NotebookFile = { cells: nb.cells.map(cellToFile), extra };
  if (metadata !== undefined) file.metadata = metadata as JsonObject;
  return file;
}

function cellToFile(cell: PlainCell): FileCell {
  const markup = cell.kind === 'markup';
  const { settings, metadata, ...extra } = (cell.metadata ?? {}) as JsonObject;
  const file: FileCell = { kind: markup ? 'markdown' : 'attention', source: cell.value, extra };
  if (cell.languageId !== (markup ? MARKDOWN_LANGUAGE : ATTENTION_LANGUAGE)) file.language = cell.languageId;
  if (settings !== undefined) file.settings = settings as JsonObject;
  if (metadata !== undefined) file.metadata = metadata as JsonObject;
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

/**
 * Parsed JSON when that gives back the very same bytes, else UTF-8 text when the bytes are
 * valid UTF-8, else base64: whichever is used, the bytes come back unchanged on reopening.
 */
export function itemToFile(item: PlainOutputItem): FileOutputItem {
  let text: string;
  try {
    text = utf8.decode(item.data);
  } catch {
    // Not UTF-8 (TextDecoder's fatal mode throws): keep the bytes as they are.
    return { mime: item.mime, base64: Buffer.from(item.data).toString('base64') };
  }
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
  return JSON.stringify(parsed) === text ? parsed : undefined;
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

/** Reads a file's bytes; throws NotebookFormatError naming what is wrong. */
export function readNotebookBytes(bytes: Uint8Array, originals?: OriginalBytes): PlainNotebook {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    // TextDecoder's fatal mode throws on the first invalid sequence.
    throw new NotebookFormatError('file', 'not UTF-8 text');
  }
  const file = parseNotebook(text);
  if (originals && bytes.length > 0) {
    const canonical = serializeNotebook(file);
    if (canonical !== text) originals.remember(canonical, bytes);
  }
  return fileToNotebook(file);
}

/** Writes the canonical bytes, or the file's own bytes when its content is unchanged. */
export function writeNotebookBytes(nb: PlainNotebook, originals?: OriginalBytes): Uint8Array {
  const canonical = serializeNotebook(notebookToFile(nb));
  return originals?.lookup(canonical) ?? encoder.encode(canonical);
}
