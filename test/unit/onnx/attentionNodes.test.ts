import assert from 'node:assert/strict';
import { findAttentionSoftmax } from '../../../src/onnx/attentionNodes';
import { planAttentionRun } from '../../../src/onnx/attentionRun';
import {
  ExternalDataError, FusedAttentionError, InputShapeError, MissingInputError, NoAttentionError, OnnxDecodeError, OnnxError,
} from '../../../src/onnx/errors';
import { exportAttentionModel } from '../../../src/onnx/export';
import { makeFeeds, planInputs } from '../../../src/onnx/inputs';
import { decodeModel, encodeModel, type Graph, type Node } from '../../../src/onnx/proto';
import { AttributeType, DataType } from '../../../src/onnx/schema';
import { fixtureBytes } from './ortHelpers';

const tensorInfo = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** scores [1, 2, seq, seq] → Softmax(axis) → (pass-through) → MatMul with v: the attention pattern. */
function attentionNodes(prefix: string, axis = -1, via?: string): Node[] {
  const probs = via ? `${prefix}probs_pre` : `${prefix}probs`;
  const nodes: Node[] = [
    { name: `${prefix}Softmax`, opType: 'Softmax', input: ['scores'], output: [probs], attribute: [{ name: 'axis', type: AttributeType.INT, i: axis }] },
  ];
  if (via) nodes.push({ name: `${prefix}${via}`, opType: via, input: [probs], output: [`${prefix}probs`] });
  nodes.push({ name: `${prefix}MatMul`, opType: 'MatMul', input: [`${prefix}probs`, 'v'], output: [`${prefix}ctx`] });
  return nodes;
}

function model(nodes: Node[], extraInputs: Graph['input'] = [], opset = 17): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      name: 'g',
      node: nodes,
      input: [
        tensorInfo('input_ids', DataType.INT64, [1, 'seq']),
        tensorInfo('scores', DataType.FLOAT, [1, 2, 'seq', 'seq']),
        tensorInfo('v', DataType.FLOAT, [1, 2, 'seq', 4]),
        ...(extraInputs ?? []),
      ],
      output: [tensorInfo('ctx', DataType.FLOAT, [1, 2, 'seq', 4])],
    },
  });
}

describe('finding attention in exported models', () => {
  it('finds both layers of a GPT-style export, rank 4, in layer order with node names', () => {
    const found = findAttentionSoftmax(decodeModel(fixtureBytes('gpt_tiny.onnx')));
    assert.deepEqual(found.map((f) => [f.index, f.nodeName, f.rank]), [
      [0, '/h.0/attn/Softmax', 4],
      [1, '/h.1/attn/Softmax', 4],
    ]);
  });

  it('finds both layers of a torch.nn.TransformerEncoder export, rank 3', () => {
    const found = findAttentionSoftmax(decodeModel(fixtureBytes('encoder_tiny.onnx')));
    assert.deepEqual(found.map((f) => [f.nodeName, f.rank]), [
      ['/encoder/layers.0/self_attn/Softmax', 3],
      ['/encoder/layers.1/self_attn/Softmax', 3],
    ]);
  });

  it('finds the softmax of our own exported layer', () => {
    const d = 8;
    const m = new Float32Array(d * d);
    const b = new Float32Array(d);
    const bytes = exportAttentionModel({ dModel: d, wq: m, wk: m, wv: m, wo: m, bq: b, bk: b, bv: b, bo: b }, { heads: 2, mask: 'causal' });
    assert.deepEqual(findAttentionSoftmax(decodeModel(bytes)).map((f) => [f.output, f.rank]), [['attention_weights', 4]]);
  });

  it('recognises the pattern by structure, through Dropout, Cast and Identity, whatever the names', () => {
    for (const via of [undefined, 'Dropout', 'Cast', 'Identity']) {
      const found = findAttentionSoftmax(decodeModel(model(attentionNodes('x', -1, via))));
      assert.equal(found.length, 1, `via ${via}`);
    }
    assert.equal(findAttentionSoftmax(decodeModel(model(attentionNodes('x', 3)))).length, 1, 'axis 3 of rank 4');
  });

  it('ignores a softmax over another axis or one that does not weight values', () => {
    assert.throws(() => findAttentionSoftmax(decodeModel(model(attentionNodes('x', 1)))), NoAttentionError);
    const asRightOperand: Node[] = [
      { name: 's', opType: 'Softmax', input: ['scores'], output: ['p'] },
      { name: 'm', opType: 'MatMul', input: ['v', 'p'], output: ['ctx'] },
    ];
    assert.throws(() => findAttentionSoftmax(decodeModel(model(asRightOperand))), NoAttentionError);
  });

  it('refuses fused operators it cannot read, naming them, and a fused node it cannot read, naming what stopped it', () => {
    const packed: Node = { name: 'p', opType: 'PackedAttention', domain: 'com.microsoft', input: ['scores'], output: ['ctx'] };
    assert.throws(
      () => findAttentionSoftmax(decodeModel(model([...attentionNodes('x'), packed]))),
      (e: unknown) => e instanceof FusedAttentionError && e.code === 'fusedAttention' &&
        e.operators.includes('com.microsoft.PackedAttention') && /optimum-cli|torch\.onnx\.export/.test(e.remedy),
    );
    const noHeads: Node = { name: 'a', opType: 'Attention', domain: 'com.microsoft', input: ['scores', 'v'], output: ['ctx'] };
    assert.throws(
      () => findAttentionSoftmax(decodeModel(model([noHeads]))),
      (e: unknown) => e instanceof FusedAttentionError && /node "a"/.test(e.message) && /num_heads is missing/.test(e.message),
    );
    const smooth: Node = {
      name: 'g', opType: 'GroupQueryAttention', domain: 'com.microsoft', input: ['scores', 'v', 'v'], output: ['ctx'],
      attribute: [
        { name: 'num_heads', type: AttributeType.INT, i: 2 }, { name: 'kv_num_heads', type: AttributeType.INT, i: 1 },
        { name: 'smooth_softmax', type: AttributeType.INT, i: 1 },
      ],
    };
    assert.throws(() => findAttentionSoftmax(decodeModel(model([smooth]))), /node "g".*smooth_softmax = 1/);
    const old = { ...smooth, attribute: smooth.attribute?.slice(0, 2) };
    assert.throws(() => findAttentionSoftmax(decodeModel(model([old], [], 10))), /opset 10.*opset 11/);
  });

  it('names the attribute or input that stops each fused variant it cannot read', () => {
    const inputs = [
      tensorInfo('x3', DataType.FLOAT, [1, 'seq', 8]), tensorInfo('x4', DataType.FLOAT, [1, 2, 'seq', 4]),
      tensorInfo('x5', DataType.FLOAT, [1, 'seq', 2, 3, 4]), tensorInfo('w', DataType.FLOAT, [8, 24]),
      tensorInfo('m4', DataType.INT32, [1, 1, 4, 4]), tensorInfo('mi', DataType.INT64, [1, 'seq']),
    ];
    const int = (name: string, i: number) => ({ name, type: AttributeType.INT, i });
    const ms = (opType: string, input: string[], attribute: Node['attribute'] = []): Node =>
      ({ name: 'n', opType, domain: 'com.microsoft', input, output: ['ctx'], attribute });
    const onnx = (input: string[], attribute: Node['attribute'] = []): Node => ({ name: 'n', opType: 'Attention', input, output: ['ctx'], attribute });
    const heads = [int('num_heads', 2)];
    const gqaHeads = [int('num_heads', 2), int('kv_num_heads', 1)];
    const cases: [Node, RegExp, number?][] = [
      [ms('Attention', ['x3', 'w'], [...heads, int('do_rotary', 1)]), /do_rotary = 1/],
      [ms('Attention', ['x3', 'w'], [...heads, int('past_present_share_buffer', 1)]), /past_present_share_buffer = 1/],
      [ms('Attention', ['x3'], heads), /no input or no weights/],
      [ms('Attention', ['x3', 'w'], [...heads, { name: 'qkv_hidden_sizes', type: AttributeType.INTS, ints: [8, 8] }]), /qkv_hidden_sizes has 2 values/],
      [ms('Attention', ['x3', 'w', '', 'm4'], heads), /mask_index "m4" has rank 4/],
      [ms('Attention', ['x3', 'w', '', 'unknown_mask'], heads), /mask_index "unknown_mask" has rank not known/],
      [ms('MultiHeadAttention', ['x5', 'x3'], heads), /packed \[B, S, N, 3, H\] but a key is given/],
      [ms('MultiHeadAttention', ['x3'], heads), /no key input/],
      [ms('MultiHeadAttention', ['x3', 'x4', 'x4', 'b'], heads), /bias with keys already split into heads/],
      [ms('MultiHeadAttention', ['x3', 'x5', '', 'b'], heads), /bias with packed keys and values/],
      [ms('MultiHeadAttention', ['x3', 'x4', 'x4', '', '', '', 'x4'], heads), /past keys with keys not projected/],
      [ms('MultiHeadAttention', ['q_unknown', 'x3'], heads), /rank of its query input "q_unknown" is not known/],
      [ms('GroupQueryAttention', ['x3', 'x3', 'x3'], [int('num_heads', 3), int('kv_num_heads', 2)]), /num_heads 3 is not a multiple of kv_num_heads 2/],
      [ms('GroupQueryAttention', ['x3', 'x3', 'x3', '', '', '', '', '', '', 'mi'], gqaHeads), /position_ids input "mi"/],
      [ms('GroupQueryAttention', ['x3', 'x3', 'x3', '', '', '', '', '', '', '', 'x4'], gqaHeads), /attention_bias input "x4"/],
      [ms('GroupQueryAttention', ['x3', 'x3', 'x3', '', '', '', '', '', '', '', '', 'x3'], gqaHeads), /head_sink input "x3"/],
      [ms('GroupQueryAttention', ['x3', 'x3', 'x3'], [...gqaHeads, int('do_rotary', 1)]), /do_rotary is 1 but cos_cache or sin_cache is missing/],
      [onnx(['x4', 'x4', 'x4', '', '', '', 'mi']), /nonpad_kv_seqlen input "mi"/, 24],
      [onnx(['x3', 'x3', 'x3']), /q_num_heads or kv_num_heads is not set/, 23],
      [onnx(['unknown_q', 'x3', 'x3']), /rank of its Q input "unknown_q" is not known/, 23],
      [onnx(['x4', 'x4', 'x4', 'unknown_mask']), /attn_mask "unknown_mask" is neither boolean nor float/, 23],
    ];
    for (const [node, pattern, opset] of cases) {
      assert.throws(
        () => findAttentionSoftmax(decodeModel(model([node], inputs, opset ?? 17))),
        (e: unknown) => e instanceof FusedAttentionError && /node "n" cannot be read/.test(e.message) && pattern.test(e.message),
        `${node.opType} ${pattern}`,
      );
    }
  });

  it('reads a merged decoder through the branch use_cache_branch = false runs, and refuses an If chosen by anything else', () => {
    const branch = (name: string): Graph => ({ name, node: attentionNodes(name), output: [{ name: `${name}ctx` }] });
    const ifNode = (cond: string): Node => ({
      name: 'optimum::if', opType: 'If', input: [cond], output: ['ctx'],
      attribute: [
        { name: 'then_branch', type: AttributeType.GRAPH, g: branch('then_') },
        { name: 'else_branch', type: AttributeType.GRAPH, g: branch('else_') },
      ],
    });
    const flag = (name: string) => tensorInfo(name, DataType.BOOL, [1]);
    const found = findAttentionSoftmax(decodeModel(model([ifNode('use_cache_branch')], [flag('use_cache_branch')])));
    assert.deepEqual(found.map((f) => [f.nodeName, f.output]), [['attention_explorer/optimum::if/else_Softmax', 'attention_explorer/optimum::if/else_probs']]);
    assert.throws(
      () => findAttentionSoftmax(decodeModel(model([ifNode('other')], [flag('other')]))),
      (e: unknown) => e instanceof FusedAttentionError && e.operators[0] === 'If' && /"other"/.test(e.message) && /decoder_model\.onnx/.test(e.remedy),
    );
  });
});

describe('planning a run on a user model', () => {
  it('appends outputs without touching the original bytes', () => {
    const original = fixtureBytes('gpt_tiny.onnx');
    const plan = planAttentionRun(original);
    assert.deepEqual(plan.model.subarray(0, original.length), original);
    assert.ok(plan.model.length > original.length);
    assert.deepEqual(plan.layers.map((l) => l.output), ['/h.0/attn/Softmax_output_0', '/h.1/attn/Softmax_output_0']);
  });

  it('fetches only the layers asked for', () => {
    const plan = planAttentionRun(fixtureBytes('encoder_tiny.onnx'), { layers: [1] });
    assert.deepEqual(plan.layers.map((l) => l.index), [1]);
    assert.throws(() => planAttentionRun(fixtureBytes('encoder_tiny.onnx'), { layers: [2] }), RangeError);
  });

  it('fills attention_mask, token_type_ids and position_ids from the ids', () => {
    const feeds = makeFeeds(planAttentionRun(fixtureBytes('gpt_tiny.onnx')).inputs, [5, 6, 7]);
    assert.deepEqual(Object.keys(feeds).sort(), ['attention_mask', 'input_ids', 'position_ids']);
    assert.deepEqual([...feeds.input_ids.data], [5n, 6n, 7n]);
    assert.deepEqual([...feeds.attention_mask.data], [1n, 1n, 1n]);
    assert.deepEqual([...feeds.position_ids.data], [0n, 1n, 2n]);
    assert.deepEqual(feeds.position_ids.dims, [1, 3]);
    const enc = makeFeeds(planAttentionRun(fixtureBytes('encoder_tiny.onnx')).inputs, [1]);
    assert.deepEqual([...enc.token_type_ids.data], [0n]);
  });

  it('names any other required input in a typed error', () => {
    const pixels = tensorInfo('pixel_values', DataType.FLOAT, [1, 3, 8, 8]);
    assert.throws(
      () => planAttentionRun(model(attentionNodes('x'), [pixels])),
      (e: unknown) => e instanceof MissingInputError && e.inputs.includes('pixel_values') && e.inputs.length === 3,
    );
  });

  it('feeds a decoder with a cache as on its first step: empty past, cache_position, use_cache_branch false', () => {
    const inputs = [
      tensorInfo('past_key_values.0.key', DataType.FLOAT, ['batch_size', 2, 'past_sequence_length', 4]),
      tensorInfo('past_key_values.0.value', DataType.FLOAT16, ['batch_size', 2, 'past_sequence_length', 4]),
      tensorInfo('cache_position', DataType.INT64, ['sequence']),
      tensorInfo('use_cache_branch', DataType.BOOL, [1]),
    ];
    const graph = decodeModel(model(attentionNodes('x'), inputs)).graph ?? {};
    // scores and v are inputs of the test graph only; leave them out of the plan.
    const only = { ...graph, input: (graph.input ?? []).filter((v) => v.name !== 'scores' && v.name !== 'v') };
    const feeds = makeFeeds(planInputs(only), [7, 8, 9]);
    assert.deepEqual(feeds['past_key_values.0.key'].dims, [1, 2, 0, 4]);
    assert.equal(feeds['past_key_values.0.key'].type, 'float32');
    assert.equal(feeds['past_key_values.0.value'].type, 'float16');
    assert.deepEqual(feeds.cache_position.dims, [3]);
    assert.deepEqual([...feeds.cache_position.data], [0n, 1n, 2n]);
    assert.deepEqual([...feeds.use_cache_branch.data], [0]);
    assert.equal(feeds.use_cache_branch.type, 'bool');
    const fixed = { ...only, input: [tensorInfo('input_ids', DataType.INT64, [1, 'seq']), tensorInfo('past_key_values.0.key', DataType.FLOAT, [1, 2, 16, 4])] };
    assert.throws(() => planInputs(fixed), (e: unknown) => e instanceof InputShapeError && /past_key_values\.0\.key.*fixed shape \[1, 2, 16, 4\]/.test(e.message));
  });

  it('says when the graph fixes the sequence length, or the ids are not ids', () => {
    const fixed = encodeModel({
      irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
      graph: {
        node: attentionNodes('x'),
        input: [tensorInfo('input_ids', DataType.INT64, [1, 4])],
        initializer: [],
      },
    });
    const plan = planAttentionRun(fixed);
    assert.throws(() => makeFeeds(plan.inputs, [1, 2, 3]), InputShapeError);
    assert.throws(() => makeFeeds(plan.inputs, [1, 2, 3.5, 4]), InputShapeError);
    assert.throws(() => makeFeeds(plan.inputs, []), InputShapeError);
  });

  it('names the files weights stored as external data are in, and refuses files outside the model\'s folder', () => {
    const withLocation = (location?: string) => encodeModel({
      irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
      graph: {
        node: attentionNodes('x'),
        input: [tensorInfo('input_ids', DataType.INT64, [1, 'seq'])],
        initializer: [{ name: 'w', dims: [4], dataType: DataType.FLOAT, dataLocation: 1, externalData: location ? [{ key: 'location', value: location }] : [] }],
      },
    });
    assert.deepEqual(planAttentionRun(withLocation('model.onnx_data')).externalData, ['model.onnx_data']);
    assert.deepEqual(planAttentionRun(withLocation('weights/part1.bin')).externalData, ['weights/part1.bin']);
    assert.throws(() => planAttentionRun(withLocation()), (e: unknown) => e instanceof ExternalDataError && /"w".*names no file/.test(e.message));
    for (const outside of ['../secret.bin', '/etc/passwd', 'C:\\data.bin']) {
      assert.throws(() => planAttentionRun(withLocation(outside)), (e: unknown) => e instanceof ExternalDataError && /outside the model's folder/.test(e.message), outside);
    }
  });

  it('turns corrupt, truncated or foreign bytes into OnnxDecodeError', () => {
    const gpt = fixtureBytes('gpt_tiny.onnx');
    const samples: [string, Uint8Array][] = [
      ['empty', new Uint8Array()],
      ['json', new TextEncoder().encode('{"not": "onnx"}')],
      ['png header', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
      ['truncated', gpt.subarray(0, Math.floor(gpt.length / 2))],
      ['flipped', gpt.map((b, i) => (i % 97 === 5 ? b ^ 0xff : b))],
    ];
    let seed = 7;
    for (let k = 0; k < 20; k++) {
      const bytes = new Uint8Array(64 + k * 13).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
      samples.push([`random ${k}`, bytes]);
    }
    for (const [what, bytes] of samples) {
      assert.throws(() => planAttentionRun(bytes), (e: unknown) => {
        // Flipped bytes can still decode; then the graph is garbled, which is a typed error too.
        if (what === 'flipped') return e instanceof OnnxError;
        return e instanceof OnnxDecodeError && e.code === 'decode';
      }, what);
    }
  });
});
