// Reading .npy files: the arrays Export View and the command line write, and those NumPy writes
// (versions 1 to 3, float32 and float64), back exactly; everything else refused with what was found.
import assert from 'node:assert/strict';
import { npyBytes, npyTokensFile, NpyFormatError, readNpy } from '../../../src/shared/npy';

/** An .npy as NumPy lays it out: magic, version, header length (2 bytes in v1, 4 after), dict, data. */
function npy(dict: string, data: Uint8Array, version = 1): Uint8Array {
  const start = version === 1 ? 10 : 12;
  const total = Math.ceil((start + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - start - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), start);
  out.set(data, total);
  return out;
}

function f8(values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer);
}

function f4(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

function refusal(bytes: Uint8Array): string {
  try {
    readNpy(bytes);
  } catch (e) {
    assert.ok(e instanceof NpyFormatError, String(e));
    return e.message;
  }
  throw new Error('read without complaint');
}

describe('npy reader', () => {
  const values = [0.1, 0.9, 1 / 3, 2 / 3, 0, 1, 0.25, 0.75];

  it('reads back what npyBytes writes, bit for bit', () => {
    const data = Float32Array.from(values);
    const read = readNpy(npyBytes(data, [2, 2, 2]));
    assert.deepEqual(read.shape, [2, 2, 2]);
    assert.equal(read.descr, '<f4');
    assert.deepEqual(read.data, data);
  });

  it('reads version 2 and 3 headers', () => {
    for (const version of [2, 3]) {
      const read = readNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", f4(values), version));
      assert.deepEqual(read.shape, [2, 4]);
      assert.deepEqual(read.data, Float32Array.from(values));
    }
  });

  it('reads keys in any order and a one-dimensional shape', () => {
    const read = readNpy(npy("{'shape': (8,), 'fortran_order': False, 'descr': '<f4'}", f4(values)));
    assert.deepEqual(read.shape, [8]);
  });

  it('reads float64 rounded to float32', () => {
    const read = readNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }", f8(values)));
    assert.equal(read.descr, '<f8');
    assert.deepEqual(read.data, Float32Array.from(values));
  });

  it('reads data that do not start on a 4-byte boundary of their buffer', () => {
    const bytes = npyBytes(Float32Array.from(values), [8]);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    assert.deepEqual(readNpy(shifted).data, Float32Array.from(values));
  });

  it('refuses other dtypes, naming them', () => {
    assert.match(refusal(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (8,), }", f4(values))), /dtype is '<i4'/);
    assert.match(refusal(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (8,), }", f4(values))), /dtype is '>f4'.*little-endian/);
    assert.match(refusal(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (8,), }", f4(values))), /'<f2'/);
  });

  it('refuses Fortran order, naming the shape', () => {
    assert.match(refusal(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 4), }", f4(values))), /\(2, 4\) array is in Fortran order/);
  });

  it('refuses data shorter or longer than the shape', () => {
    const whole = npyBytes(Float32Array.from(values), [2, 4]);
    assert.match(refusal(whole.subarray(0, whole.length - 3)), /shape \(2, 4\) of '<f4' needs 32 bytes of data, but the file holds 29/);
    assert.match(refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", f4(values))), /needs 28 bytes.*holds 32/);
  });

  it('refuses a truncated header, a missing magic, an unknown version, a header without its keys', () => {
    const whole = npyBytes(Float32Array.from(values), [8]);
    assert.match(refusal(whole.subarray(0, 30)), /header says it is 118 bytes long, but the file ends after 20/);
    assert.match(refusal(whole.subarray(0, 9)), /ends after 9 bytes/);
    assert.match(refusal(new TextEncoder().encode('{"tokens": []}')), /magic/);
    assert.match(refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", f4(values), 4)), /version 4\.0/);
    assert.match(refusal(npy("{'descr': '<f4', 'shape': (8,), }", f4(values))), /lacks descr, fortran_order or shape/);
    assert.match(refusal(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (a, 8), }", f4(values))), /shape \(a, 8\) is not/);
  });

  it('names the tokens file beside an array', () => {
    assert.equal(npyTokensFile('/data/run.npy'), '/data/run.tokens.json');
    assert.equal(npyTokensFile('run'), 'run.tokens.json');
  });
});
