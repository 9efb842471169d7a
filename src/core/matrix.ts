// Turning numbers a person selected in an editor into an N × d matrix. Three layouts are
// accepted: a JSON array of rows, CSV (one row per line), or whitespace-separated rows.
// Every problem is reported with the 1-based row and column of the cell at fault.

import { InputError } from './errors';
import { checkJsonDepth } from './jsonDepth';

export interface NumericMatrix {
  rows: number;
  cols: number;
  data: Float32Array; // [rows][cols]
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_WORD = /^[+-]?(?:nan|inf|infinity)$/i;

/** Parses a JSON array of rows, CSV, or whitespace-separated rows. */
export function parseMatrix(text: string): NumericMatrix {
  const trimmed = text.trim();
  if (trimmed === '') throw new InputError('empty', 'the selection holds no numbers');
  if (trimmed.startsWith('[')) {
    checkJsonDepth(trimmed, 'the matrix');
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new InputError('json', `the selection starts with "[" but is not valid JSON: ${(e as Error).message}`);
    }
    // A flat list of numbers is one row.
    if (Array.isArray(parsed) && parsed.length > 0 && !Array.isArray(parsed[0])) parsed = [parsed];
    return matrixFromRows(parsed, 'matrix');
  }
  const cells = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => (line.includes(',') ? line.split(',').map((c) => c.trim()) : line.split(/\s+/)));
  return fromCells(cells);
}

/** Reads one cell of text as a number, or throws an InputError naming its position. */
function parseCell(cell: string, row: number, col: number): number {
  if (DECIMAL.test(cell)) return checkFinite(Number(cell), row, col, cell);
  if (NON_FINITE_WORD.test(cell)) {
    throw new InputError('non-finite', `row ${row}, column ${col}: "${cell}" is not a finite number`, row, col);
  }
  const shown = cell === '' ? 'an empty cell' : `"${cell}"`;
  throw new InputError('not-a-number', `row ${row}, column ${col}: ${shown} is not a number`, row, col);
}

function checkFinite(v: number, row: number, col: number, shown: string): number {
  // A value finite in double precision may still overflow float32, where the math runs.
  if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) {
    throw new InputError('non-finite', `row ${row}, column ${col}: ${shown} is not a finite float32 number`, row, col);
  }
  return v;
}

function fromCells(cells: string[][]): NumericMatrix {
  const rows = cells.length;
  const cols = cells[0].length;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (cells[r].length !== cols) throw raggedError(r + 1, cells[r].length, cols);
    for (let c = 0; c < cols; c++) data[r * cols + c] = parseCell(cells[r][c], r + 1, c + 1);
  }
  return { rows, cols, data };
}

function raggedError(row: number, got: number, want: number): InputError {
  const col = Math.min(got, want) + 1;
  const values = (k: number) => `${k} value${k === 1 ? '' : 's'}`;
  return new InputError('ragged', `row ${row} has ${values(got)} but row 1 has ${values(want)}`, row, col);
}

/**
 * Checks that `value` is a non-empty array of equally long arrays of finite numbers and packs it.
 * `what` names the value in messages (e.g. "wq"); `shape`, when given, is the required [rows, cols].
 */
export function matrixFromRows(value: unknown, what: string, shape?: [number, number]): NumericMatrix {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InputError('shape', `${what} must be a non-empty array of rows`);
  }
  const first: unknown = value[0];
  if (!Array.isArray(first) || first.length === 0) {
    throw new InputError('shape', `${what}: row 1 must be a non-empty array of numbers`, 1);
  }
  const rows = value.length;
  const cols = first.length;
  if (shape && (rows !== shape[0] || cols !== shape[1])) {
    throw new InputError('shape', `${what} must be ${shape[0]} × ${shape[1]}, got ${rows} × ${cols}`);
  }
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row: unknown = value[r];
    if (!Array.isArray(row)) throw new InputError('shape', `${what}: row ${r + 1} is not an array`, r + 1);
    if (row.length !== cols) {
      const e = raggedError(r + 1, row.length, cols);
      throw new InputError('ragged', `${what}: ${e.message}`, e.row, e.column);
    }
    for (let c = 0; c < cols; c++) data[r * cols + c] = numberCell(row[c], what, r + 1, c + 1);
  }
  return { rows, cols, data };
}

/** Checks a flat array of `length` finite numbers (a bias vector) and packs it. */
export function vectorFromArray(value: unknown, what: string, length: number): Float32Array {
  if (!Array.isArray(value)) throw new InputError('shape', `${what} must be an array of ${length} numbers`);
  if (value.length !== length) {
    throw new InputError('shape', `${what} must have ${length} values, got ${value.length}`);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = numberCell(value[i], what, 1, i + 1);
  return out;
}

function numberCell(v: unknown, what: string, row: number, col: number): number {
  if (typeof v !== 'number') {
    // A nested array or object is named, not written out: it may be long or deep.
    const shown = Array.isArray(v) ? 'an array' : typeof v === 'object' && v !== null ? 'an object' : (JSON.stringify(v) ?? String(v)).slice(0, 40);
    throw new InputError('not-a-number', `${what}: row ${row}, column ${col}: ${shown} is not a number`, row, col);
  }
  try {
    return checkFinite(v, row, col, String(v));
  } catch (e) {
    throw new InputError('non-finite', `${what}: ${(e as Error).message}`, row, col);
  }
}
