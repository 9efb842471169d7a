// NumPy's .npy format for float32 arrays: what Export View and the command line write (version
// 1.0), and what Open Attention Data reads (versions 1 to 3, float32 or float64). The header and
// the data are written separately so a large array can be written as its header and then its
// bytes, never copied into one buffer or string.

import { decodeUtf8 } from './utf8';

const PREAMBLE = 10; // \x93NUMPY, version 1.0, uint16 header length

/**
 * Magic, version, a little-endian uint16 header length, then a Python dict literal padded with
 * spaces (ending in a newline) so the data start at a multiple of 64 bytes, as NumPy writes it.
 */
export function npyHeader(shape: readonly number[]): Uint8Array {
  const dims = shape.join(', ') + (shape.length === 1 ? ',' : '');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = Math.ceil((PREAMBLE + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - PREAMBLE - 1, ' ') + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[PREAMBLE + i] = header.charCodeAt(i);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/** The data as little-endian float32 bytes: a view of `data` itself on little-endian machines. */
export function npyData(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

/** Header and data in one buffer, for a caller that hands a file's bytes over whole. */
export function npyBytes(data: Float32Array, shape: readonly number[]): Uint8Array {
  const header = npyHeader(shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(npyData(data), header.length);
  return out;
}

/** F.npy's tokens go to F.tokens.json beside it (the command line writes them, the extension reads them). */
export function npyTokensFile(npy: string): string {
  return npy.replace(/\.npy$/, '') + '.tokens.json';
}

/** A file that is not an array this reader takes: the message says what was found. */
export class NpyFormatError extends Error {
  override readonly name = 'NpyFormatError';
}

export interface NpyArray {
  shape: number[];
  /** The values in C order, as float32 (float64 files are rounded to float32). */
  data: Float32Array;
  /** The dtype the file declared, e.g. "<f4". */
  descr: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** True when the bytes start like an .npy file, whatever its name. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/** Where the header dict is: version 1 has a uint16 length, versions 2 and 3 a uint32. */
function headerOf(bytes: Uint8Array): { text: string; dataStart: number } {
  if (!isNpy(bytes)) throw new NpyFormatError('it does not start with the NumPy magic \\x93NUMPY');
  if (bytes.length < 12) throw new NpyFormatError(`it ends after ${bytes.length} bytes, inside the header`);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new NpyFormatError(`NumPy format version ${major}.${bytes[7]} is not one this reader knows (1.0, 2.0, 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + length > bytes.length) throw new NpyFormatError(`the header says it is ${length} bytes long, but the file ends after ${bytes.length - start}`);
  const raw = bytes.subarray(start, start + length);
  // Versions 1 and 2 write the header in latin-1, version 3 in UTF-8.
  const text = major === 3 ? decodeUtf8(raw) : Array.from(raw, (b) => String.fromCharCode(b)).join('');
  if (text === undefined) throw new NpyFormatError('its version 3 header is not UTF-8');
  return { text, dataStart: start + length };
}

/** The three keys of the header, a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }. */
function fieldsOf(header: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new NpyFormatError(`the header ${JSON.stringify(header.trim())} lacks descr, fortran_order or shape`);
  }
  const dims = shape.split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (dims.some((d) => !/^\d+$/.test(d))) throw new NpyFormatError(`the shape (${shape}) is not a list of whole numbers`);
  return { descr, fortran: fortran === 'True', shape: dims.map(Number) };
}

/** The shape as NumPy prints it: (2, 3), and (3,) for one dimension. */
export function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

const ITEM_BYTES: Record<string, number> = { '<f4': 4, '<f8': 8 };

/**
 * Reads a C-order, little-endian float32 ('<f4') or float64 ('<f8') array. Other dtypes,
 * Fortran order and files whose data are shorter or longer than the shape are refused.
 */
export function readNpy(bytes: Uint8Array): NpyArray {
  const { text, dataStart } = headerOf(bytes);
  const { descr, fortran, shape } = fieldsOf(text);
  const itemBytes = ITEM_BYTES[descr];
  if (itemBytes === undefined) {
    throw new NpyFormatError(`its dtype is '${descr}'; only little-endian float32 ('<f4') or float64 ('<f8') can be read`);
  }
  if (fortran) throw new NpyFormatError(`its ${shapeText(shape)} array is in Fortran order; save it in C order (numpy.ascontiguousarray)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const have = bytes.length - dataStart;
  if (have !== count * itemBytes) {
    throw new NpyFormatError(`the shape ${shapeText(shape)} of '${descr}' needs ${count * itemBytes} bytes of data, but the file holds ${have}`);
  }
  return { shape, descr, data: float32Data(bytes, dataStart, count, itemBytes) };
}

/** The values as float32: a view of the file's bytes where they are already that, else a converted copy. */
function float32Data(bytes: Uint8Array, start: number, count: number, itemBytes: number): Float32Array {
  const offset = bytes.byteOffset + start;
  if (itemBytes === 4 && LITTLE_ENDIAN && offset % 4 === 0) return new Float32Array(bytes.buffer, offset, count);
  const view = new DataView(bytes.buffer, offset, count * itemBytes);
  const out = new Float32Array(count);
  if (itemBytes === 4) for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true); // rounded to float32 on storing
  return out;
}
