// Files of a sequence's weights: NPY (NumPy's own format, float32 [L, H, N, N]), CSV (one row per
// layer, head and query) and JSON. No vscode import: written and checked without an editor.
import { npyBytes } from '../../shared/npy';
import type { SequencePayload } from '../../shared/protocol';

type Weights = Pick<SequencePayload, 'label' | 'tokens' | 'offsets' | 'special' | 'layers' | 'heads' | 'n' | 'weights' | 'kvHeads'>;

/** Shortest decimal that reads back as the same float32 (at most 9 significant digits). */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  for (const p of [6, 7, 8]) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

export function npyOfSequence(seq: Weights): Uint8Array {
  return npyBytes(seq.weights, [seq.layers, seq.heads, seq.n, seq.n]);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header, then one row per (layer, head, query): its token and its N weights over the keys. */
export function csvOfSequence(seq: Weights): string {
  const { n, tokens } = seq;
  const lines = [['layer', 'head', 'query', 'token', ...tokens.map((t, k) => `${k + 1}:${t}`)].map(csvField).join(',')];
  for (let l = 0; l < seq.layers; l++) {
    for (let h = 0; h < seq.heads; h++) {
      for (let q = 0; q < n; q++) {
        const off = ((l * seq.heads + h) * n + q) * n;
        const row = [String(l + 1), String(h + 1), String(q + 1), csvField(tokens[q])];
        for (let k = 0; k < n; k++) row.push(float32Text(seq.weights[off + k]));
        lines.push(row.join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** JSON with the tokens and nested weights [L][H][N][N], numbers as short as float32 allows. */
export function jsonOfSequence(seq: Weights): string {
  const { n } = seq;
  const layers: string[] = [];
  for (let l = 0; l < seq.layers; l++) {
    const heads: string[] = [];
    for (let h = 0; h < seq.heads; h++) {
      const rows: string[] = [];
      for (let q = 0; q < n; q++) {
        const off = ((l * seq.heads + h) * n + q) * n;
        const row: string[] = [];
        // JSON has no NaN or infinity: they are written as null.
        for (let k = 0; k < n; k++) row.push(Number.isFinite(seq.weights[off + k]) ? float32Text(seq.weights[off + k]) : 'null');
        rows.push(`[${row.join(',')}]`);
      }
      heads.push(`[\n${rows.join(',\n')}]`);
    }
    layers.push(`[${heads.join(',\n')}]`);
  }
  const meta = {
    format: 'attention-explorer/weights',
    version: 1,
    label: seq.label,
    tokens: seq.tokens,
    offsets: Array.from({ length: n }, (_, i) => [seq.offsets[i * 2], seq.offsets[i * 2 + 1]]),
    special: Array.from(seq.special, (s) => s === 1),
    shape: [seq.layers, seq.heads, n, n],
    // Key/value heads per layer, when query heads share them: reading the file back keeps the groups.
    ...(seq.kvHeads ? { kv_heads: seq.kvHeads } : {}),
  };
  const head = JSON.stringify(meta, null, 1).slice(0, -2);
  return `${head},\n "weights": [${layers.join(',\n')}]\n}\n`;
}
