// The shipped models as models.json describes them, and what a broken description says.
import assert from 'node:assert/strict';
import { isShippedModelName, LAYER_CHOICES, shippedModel } from '../../../src/shared/shippedModels';

describe('shipped models', () => {
  const json = { models: { 'learned-causal': { label: 'learned, causal', files: { model: 'c.onnx', tokenizer: 'tokenizer.json' } } } };

  it('names the setting\'s choices, and which are models', () => {
    assert.deepEqual([...LAYER_CHOICES], ['random', 'learned-bidirectional', 'learned-causal']);
    assert.deepEqual(LAYER_CHOICES.map(isShippedModelName), [false, true, true]);
    assert.equal(isShippedModelName('model.onnx'), false);
  });

  it('reads a model\'s files and label, and how many tokens its positions cover', () => {
    assert.deepEqual(shippedModel(json, 'learned-causal'), { name: 'learned-causal', onnx: 'c.onnx', tokenizer: 'tokenizer.json', label: 'learned, causal' });
    const sized = { models: { 'learned-causal': { ...json.models['learned-causal'], architecture: { n_ctx: 128 } } } };
    assert.equal(shippedModel(sized, 'learned-causal').maxTokens, 128);
  });

  it('says what is missing, and keeps the files inside their folder', () => {
    assert.throws(() => shippedModel(json, 'learned-bidirectional'), /models\.json does not describe "learned-bidirectional"/);
    assert.throws(() => shippedModel({}, 'learned-causal'), /does not describe/);
    const without = { models: { 'learned-causal': { files: { model: 'c.onnx', tokenizer: 'tokenizer.json' } } } };
    assert.throws(() => shippedModel(without, 'learned-causal'), /"learned-causal" has no "label"/);
    const outside = { models: { 'learned-causal': { label: 'x', files: { model: '../../x.onnx', tokenizer: 'tokenizer.json' } } } };
    const noTokenizer = { models: { 'learned-causal': { label: 'x', files: { model: 'c.onnx' } } } };
    assert.throws(() => shippedModel(noTokenizer, 'learned-causal'), /"learned-causal" has no "files\.tokenizer"/);
    assert.throws(() => shippedModel(outside, 'learned-causal'), /must be a file name in media\/models/);
  });
});
