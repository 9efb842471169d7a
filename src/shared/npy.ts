// NumPy's .npy format (version 1.0) for float32 arrays: what Export View and the command line
// write. The header and the data are separate so a large array can be written as its header
// and then its bytes, never copied into one buffer or string.

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
