// Reading inputs and writing results for the command line.

import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { InputError, type AttentionResult } from '../core';
import { npyData, npyHeader } from '../shared/npy';
import { UsageError } from './errors';

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`, 'file');
  }
}

export function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError('json', `${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes to `out` when given, else to stdout. */
export function emit(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new UsageError(`cannot write ${out}: ${(e as Error).message}`, 'file');
  }
}

/**
 * A float32 array as NumPy .npy: the header, then the array's own bytes, so a model's
 * [L, H, N, N] weights are never copied into one string or a second buffer.
 */
export function writeNpy(file: string, data: Float32Array, shape: number[]): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w');
    writeAll(fd, npyHeader(shape));
    writeAll(fd, npyData(data));
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`, 'file');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
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

/** [rows][cols] nested arrays from a row-major block of `a` starting at `offset`. */
export function nested(a: Float32Array, rows: number, cols: number, offset = 0): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(a.subarray(offset + r * cols, offset + (r + 1) * cols), f32));
  return out;
}

/** weights [H][N][N] as nested arrays. */
export function nestedWeights(r: HeadWeights): number[][][] {
  const heads: number[][][] = [];
  for (let h = 0; h < r.heads; h++) heads.push(nested(r.weights, r.n, r.n, h * r.n * r.n));
  return heads;
}

/** One line per (head, query, key) with a header; indices are 0-based. */
export function weightsCsv(r: HeadWeights): string {
  const lines = ['head,query,key,weight'];
  const n = r.n;
  for (let h = 0; h < r.heads; h++)
    for (let q = 0; q < n; q++)
      for (let k = 0; k < n; k++) lines.push(`${h},${q},${k},${f32(r.weights[(h * n + q) * n + k])}`);
  return lines.join('\n') + '\n';
}
