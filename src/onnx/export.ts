// Exports one multi-head self-attention layer (the convention of core/types LayerWeights) as a
// standard ONNX model, opset 17, built only from ai.onnx operators so any runtime can run it.
//
//   x: [1, seq, d_model]  →  attention_weights: [1, H, seq, seq],  output: [1, seq, d_model]
//
// The sequence axis stays dynamic: reshapes use 0 (copy) and -1 (infer), and the causal mask is
// built from Shape(x) at run time rather than baked in for one length.
import type { LayerWeights } from '../core/types';
import { GraphBuilder } from './graphBuilder';
import { encodeModel, type Model } from './proto';
import { DataType } from './schema';

export interface ExportOptions {
  heads: number;
  mask: 'none' | 'causal';
  /** Scale scores by 1/sqrt(d_head); default true, as in the core. */
  scale?: boolean;
}

export const ATTENTION_OPSET = 17;
/** IR version 8 is the one that goes with opset 17. */
const IR_VERSION = 8;
export const SEQ_AXIS = 'seq';

export function exportAttentionModel(w: LayerWeights, opts: ExportOptions): Uint8Array {
  checkWeights(w, opts.heads);
  const model: Model = {
    irVersion: IR_VERSION,
    producerName: 'attention-explorer',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: ATTENTION_OPSET }],
    graph: attentionGraph(w, opts),
  };
  return encodeModel(model);
}

function checkWeights(w: LayerWeights, heads: number): void {
  const d = w.dModel;
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0) {
    throw new RangeError(`d_model ${d} is not divisible into ${heads} heads`);
  }
  for (const key of ['wq', 'wk', 'wv', 'wo'] as const) {
    if (w[key].length !== d * d) throw new RangeError(`${key} has ${w[key].length} values, expected ${d}×${d}`);
  }
  for (const key of ['bq', 'bk', 'bv', 'bo'] as const) {
    if (w[key].length !== d) throw new RangeError(`${key} has ${w[key].length} values, expected ${d}`);
  }
}

function attentionGraph(w: LayerWeights, opts: ExportOptions) {
  const d = w.dModel;
  const h = opts.heads;
  const dHead = d / h;
  const g = new GraphBuilder('attention');
  const x = g.input('x', DataType.FLOAT, [1, SEQ_AXIS, d]);

  const splitHeads = g.int64('split_heads_shape', [0, -1, h, dHead]);
  const project = (name: 'q' | 'k' | 'v'): string => {
    const weight = g.float(`w${name}`, w[`w${name}`], [d, d]);
    const bias = g.float(`b${name}`, w[`b${name}`], [d]);
    // [1, N, d] · [d, d] + [d] → [1, N, d] → [1, N, H, d_head]
    const projected = g.op('Add', [g.op('MatMul', [x, weight]), bias], {}, name);
    return g.op('Reshape', [projected, splitHeads], {}, `${name}_heads`);
  };
  const qh = g.op('Transpose', [project('q')], { perm: [0, 2, 1, 3] }); // qh: [1, H, N, d_head]
  const kt = g.op('Transpose', [project('k')], { perm: [0, 2, 3, 1] }); // kt: [1, H, d_head, N]
  const vh = g.op('Transpose', [project('v')], { perm: [0, 2, 1, 3] }); // vh: [1, H, N, d_head]

  let scores = g.op('MatMul', [qh, kt], {}, 'scores'); // scores: [1, H, N, N]
  if (opts.scale !== false) {
    scores = g.op('Div', [scores, g.float('sqrt_d_head', new Float32Array([Math.sqrt(dHead)]), [])], {}, 'scaled');
  }
  if (opts.mask === 'causal') scores = causalMask(g, x, scores);

  const weights = g.op('Softmax', [scores], { axis: -1 }, 'attention_weights'); // [1, H, N, N]
  const ctx = g.op('MatMul', [weights, vh], {}, 'context'); // ctx: [1, H, N, d_head]
  const merged = g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }); // [1, N, H, d_head]
  const concat = g.op('Reshape', [merged, g.int64('merge_heads_shape', [0, -1, d])], {}, 'concat'); // [1, N, d]
  const wo = g.float('wo', w.wo, [d, d]);
  const bo = g.float('bo', w.bo, [d]);
  g.op('Add', [g.op('MatMul', [concat, wo]), bo], {}, 'output'); // output: [1, N, d]

  g.output('attention_weights', DataType.FLOAT, [1, h, SEQ_AXIS, SEQ_AXIS]);
  g.output('output', DataType.FLOAT, [1, SEQ_AXIS, d]);
  return g.build();
}

/** Sets scores to -inf where key > query, with N read from x at run time. */
function causalMask(g: GraphBuilder, x: string, scores: string): string {
  const n = g.op('Gather', [g.op('Shape', [x]), g.int64('seq_axis', [1], [])], { axis: 0 }); // scalar N
  const positions = g.op('Range', [g.int64('zero', [0], []), n, g.int64('one', [1], [])]); // [N]
  const queries = g.op('Unsqueeze', [positions, g.int64('axis_1', [1])]); // [N, 1]
  const keys = g.op('Unsqueeze', [positions, g.int64('axis_0', [0])]); // [1, N]
  const future = g.op('Greater', [keys, queries], {}, 'causal_mask'); // [N, N], true above the diagonal
  const negInf = g.float('neg_inf', new Float32Array([-Infinity]), []);
  return g.op('Where', [future, negInf, scores], {}, 'masked'); // [1, H, N, N]
}
