// A deliberately plain multi-head attention in double precision, written straight from the
// formulas, for checking the optimised core on shapes the PyTorch fixtures do not cover.

export interface NaiveLayer {
  d: number;
  wq: ArrayLike<number>; wk: ArrayLike<number>; wv: ArrayLike<number>; wo: ArrayLike<number>;
  bq: ArrayLike<number>; bk: ArrayLike<number>; bv: ArrayLike<number>; bo: ArrayLike<number>;
}

export function naiveAttention(
  x: ArrayLike<number>, n: number, w: NaiveLayer, heads: number, causal: boolean,
  keep: ArrayLike<number> | null = null, scale = true,
): { weights: number[]; output: number[] } {
  const d = w.d;
  const dh = d / heads;
  const lin = (a: ArrayLike<number>, m: ArrayLike<number>, b: ArrayLike<number>) => {
    const out = new Array<number>(n * d).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) {
        let s = b[j];
        for (let p = 0; p < d; p++) s += a[i * d + p] * m[p * d + j];
        out[i * d + j] = s;
      }
    return out;
  };
  const q = lin(x, w.wq, w.bq), k = lin(x, w.wk, w.bk), v = lin(x, w.wv, w.bv);
  const weights = new Array<number>(heads * n * n).fill(0);
  const ctx = new Array<number>(n * d).fill(0);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < n; i++) {
      const row: number[] = [];
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = h * dh; c < (h + 1) * dh; c++) s += q[i * d + c] * k[j * d + c];
        const hidden = (causal && j > i) || (keep !== null && !keep[j]);
        row.push(hidden ? -Infinity : scale ? s / Math.sqrt(dh) : s);
      }
      const max = Math.max(...row);
      const e = row.map((s) => (max === -Infinity ? 0 : Math.exp(s - max)));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < n; j++) weights[h * n * n + i * n + j] = sum === 0 ? 0 : e[j] / sum;
      for (let c = h * dh; c < (h + 1) * dh; c++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += weights[h * n * n + i * n + j] * v[j * d + c];
        ctx[i * d + c] = s;
      }
    }
  }
  return { weights, output: lin(ctx, w.wo, w.bo) };
}
