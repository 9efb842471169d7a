// Reading inputs and writing results for the command line. Results of any size are written as a
// stream of chunks (never one string: V8 cannot make one past 512 MB), and a file is written
// beside its target and renamed into place, so a write that fails half-way leaves the old file.

import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { checkJsonDepth, InputError, type AttentionResult } from '../core';
import { npyData, npyHeader } from '../shared/npy';
import { UsageError } from './errors';

/** A file's bytes; a missing or unreadable file is a usage error (exit 2). */
function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`, 'file');
  }
}

/** A UTF-8 text file; bytes that are not UTF-8 are reported by their offset. */
export function readText(file: string): string {
  return decodeUtf8(readBytes(file), file);
}

export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = at < bytes.length ? `byte 0x${bytes[at].toString(16).padStart(2, '0')}` : 'a sequence cut short';
    throw new InputError('encoding', `${what} is not UTF-8: ${byte} at byte offset ${at} does not begin a valid character`);
  }
}

/** Offset of the first byte that does not begin a well-formed UTF-8 sequence; bytes.length if none. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // The lead byte fixes the length and the range of the second byte (no overlongs, no surrogates).
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > b.length || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k < len; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += len;
  }
  return b.length;
}

export function readJson(file: string): unknown {
  const text = readText(file);
  checkJsonDepth(text, file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError('json', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Chunks are gathered up to this many characters before each write. */
const CHUNK = 1 << 20;

/** Writes the chunks to `out` when given (atomically), else to stdout. */
export async function emit(chunks: Iterable<string>, out: string | undefined): Promise<void> {
  if (out === undefined) {
    for (const text of batches(chunks)) {
      // A pipe that is full says so; waiting keeps memory flat however large the result.
      if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
    }
    return;
  }
  writeAtomic(out, (fd) => {
    for (const text of batches(chunks)) writeAll(fd, Buffer.from(text, 'utf8'));
  });
}

function* batches(chunks: Iterable<string>): Generator<string> {
  let pending: string[] = [];
  let size = 0;
  for (const c of chunks) {
    pending.push(c);
    size += c.length;
    if (size >= CHUNK) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield pending.join('');
}

/**
 * Writes `file` through a temporary file beside it, renamed into place once complete: a reader
 * never sees half a result, and on failure (disk full, file-size limit) the old file stays.
 */
export function writeAtomic(file: string, write: (fd: number) => void): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    write(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Never created, or already gone: nothing to clean up.
    }
    if (e instanceof InputError || e instanceof UsageError) throw e;
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`, 'file');
  }
}

/**
 * A float32 array as NumPy .npy: the header, then the array's own bytes, so a model's
 * [L, H, N, N] weights are never copied into one string or a second buffer.
 */
export function writeNpy(file: string, data: Float32Array, shape: number[]): void {
  writeAtomic(file, (fd) => {
    writeAll(fd, npyHeader(shape));
    writeAll(fd, npyData(data));
  });
}

/** Every byte to the file descriptor (a write may take only part of them). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** The weights of every head, whoever computed them. */
type HeadWeights = Pick<AttentionResult, 'heads' | 'n' | 'weights'>;

/**
 * A float32 as the shortest decimal that reads back to the same float32: nine significant
 * digits always suffice, and trimming them keeps the JSON readable.
 */
export function f32(v: number): number {
  return Number(v.toPrecision(9));
}

/** One row as JSON; NaN and ±∞ (which JSON cannot write) become null. */
const rowJson = (a: Float32Array, from: number, cols: number): string =>
  JSON.stringify(Array.from(a.subarray(from, from + cols), f32));

/** [rows][cols] as JSON chunks, a row at a time, from a row-major block of `a` at `offset`. */
export function* nestedJson(a: Float32Array, rows: number, cols: number, offset = 0): Generator<string> {
  yield '[';
  for (let r = 0; r < rows; r++) yield (r > 0 ? ',' : '') + rowJson(a, offset + r * cols, cols);
  yield ']';
}

/** weights [H][N][N] as JSON chunks. */
export function* weightsJson(r: HeadWeights, offset = 0): Generator<string> {
  yield '[';
  for (let h = 0; h < r.heads; h++) {
    if (h > 0) yield ',';
    yield* nestedJson(r.weights, r.n, r.n, offset + h * r.n * r.n);
  }
  yield ']';
}

/** A JSON object whose fields are values or chunk streams, as chunks. */
export function* objectJson(fields: Record<string, unknown>): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(fields)) {
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (isChunks(value)) yield* value;
    else yield JSON.stringify(value);
  }
  yield first ? '{}' : '}';
}

/** objectJson and a newline: what every verb writes. */
export function* jsonLine(fields: Record<string, unknown>): Generator<string> {
  yield* objectJson(fields);
  yield '\n';
}

const isChunks = (v: unknown): v is Iterable<string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Iterable<string>)[Symbol.iterator] === 'function';

/** One line per (head, query, key) with a header; indices are 0-based. */
export function* weightsCsv(r: HeadWeights): Generator<string> {
  yield 'head,query,key,weight\n';
  const n = r.n;
  for (let h = 0; h < r.heads; h++)
    for (let q = 0; q < n; q++) {
      const lines: string[] = [];
      for (let k = 0; k < n; k++) lines.push(`${h},${q},${k},${f32(r.weights[(h * n + q) * n + k])}\n`);
      yield lines.join('');
    }
}
