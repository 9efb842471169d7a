// Just enough of a WebAssembly binary writer to emit the matrix kernel in gemmModule.ts:
// LEB128 numbers, the few opcodes it uses, and the sections of a one-function module.

export const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
};

const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};

const utf8 = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0)); // names are ASCII
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** A function body under construction; each method appends one instruction. */
export class Code {
  readonly bytes: number[] = [];
  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  private simd(code: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(code), ...imm);
  }
  get(i: number) { return this.op(0x20, ...uleb(i)); }
  set(i: number) { return this.op(0x21, ...uleb(i)); }
  i32(v: number) { return this.op(0x41, ...sleb(v)); }
  f32(v: number) {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  add() { return this.op(0x6a); }
  mul() { return this.op(0x6c); }
  and() { return this.op(0x71); }
  shl() { return this.op(0x74); }
  leS() { return this.op(0x4c); }
  ltS() { return this.op(0x48); }
  eqz() { return this.op(0x45); }
  f32Load() { return this.op(0x2a, 2, 0); }
  f32Store() { return this.op(0x38, 2, 0); }
  f32Add() { return this.op(0x92); }
  f32Mul() { return this.op(0x94); }
  v128Load() { return this.simd(0x00, 2, 0); } // align hint 4 bytes: rows need not be 16-aligned
  v128Zero() { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  f32x4Add() { return this.simd(0xe4); }
  f32x4Mul() { return this.simd(0xe6); }
  f32x4Lane(lane: number) { return this.simd(0x1f, lane); }
  v128Store() { return this.simd(0x0b, 2, 0); }
  /** v128.const with the same float in all four lanes. */
  f32x4Const(v: number) { return this.simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer)); }
  i32x4Const(v: number) { return this.simd(0x0c, ...new Uint8Array(new Int32Array([v, v, v, v]).buffer)); }
  f32x4Splat() { return this.simd(0x13); }
  f32x4Sub() { return this.simd(0xe5); }
  f32x4Max() { return this.simd(0xe9); }
  f32x4Nearest() { return this.simd(0x6a); }
  i32x4TruncSatF32x4() { return this.simd(0xf8); }
  i32x4Add() { return this.simd(0xae); }
  i32x4Shl() { return this.simd(0xab); }
  ltU() { return this.op(0x49); }

  /** while (cond) { body }: block { loop { br_if !cond → out; body; br loop } } */
  whileLoop(cond: (c: this) => void, body: (c: this) => void): this {
    this.op(0x02, 0x40, 0x03, 0x40);
    cond(this);
    this.op(0x45, 0x0d, 1); // i32.eqz; br_if 1
    body(this);
    return this.op(0x0c, 0, 0x0b, 0x0b); // br 0; end; end
  }
  /** if (cond) { body } */
  ifThen(cond: (c: this) => void, body: (c: this) => void): this {
    cond(this);
    this.op(0x04, 0x40);
    body(this);
    return this.op(0x0b);
  }
}

/**
 * A module importing env.memory and exporting one function `name` with the given parameter and
 * local types and no results.
 */
export function moduleBytes(name: string, params: number[], locals: number[], code: Code): Uint8Array {
  const type = [0x60, ...vec(params.map((t) => [t])), 0x00];
  const importMemory = [...uleb(3), ...utf8('env'), ...uleb(6), ...utf8('memory'), 0x02, 0x00, 0x01]; // memory, min 1 page
  // Locals are run-length groups of one type each.
  const groups: number[][] = [];
  for (const t of locals) {
    const last = groups[groups.length - 1];
    if (last && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  const body = [...vec(groups.map(([count, t]) => [...uleb(count), t])), ...code.bytes, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([importMemory])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...uleb(name.length), ...utf8(name), 0x00, 0x00]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}
