// Attention cell settings: defaults, checks that name the setting, edits that keep the rest.
import assert from 'node:assert/strict';
import type { CellSettings } from '../../../src/shared/notebookFormat';
import { CellSettingError, looksLikeMatrix, resolveSettings, settingsOf, withSetting } from '../../../src/host/notebook/cellSettings';

const defaults = { heads: 4, dModel: 64, seed: 42, mask: 'none' as const };

describe('attention cell settings', () => {
  it('fills what the cell leaves out from the user settings', () => {
    assert.deepEqual(resolveSettings({ heads: 2, scale: false }, defaults), {
      engine: 'core', model: '', heads: 2, dModel: 64, seed: 42, mask: 'none', view: 'heads', scale: false,
    });
    assert.equal(resolveSettings({}, { ...defaults, mask: 'causal' }).mask, 'causal');
    assert.equal(resolveSettings({}, { ...defaults, mask: 'padding' }).mask, 'none');
  });

  it('names the setting that is wrong and what is allowed', () => {
    const bad = (s: Record<string, unknown>, setting: string, message: RegExp) =>
      assert.throws(() => resolveSettings(s as CellSettings, defaults), (e: unknown) => e instanceof CellSettingError && e.setting === setting && message.test(e.message));
    bad({ heads: 0 }, 'heads', /"heads" is 0; use a whole number from 1 to 64/);
    bad({ dModel: 2.5 }, 'dModel', /whole number/);
    bad({ mask: 'padding' }, 'mask', /use one of none, causal/);
    bad({ view: 'grid' }, 'view', /heads, mean/);
    bad({ engine: 'torch' }, 'engine', /core, onnx/);
    bad({ scale: 'yes' }, 'scale', /true or false/);
  });

  it('takes "generate" for a cell with a model, and refuses it without one or out of range', () => {
    assert.equal(resolveSettings({ model: 'learned-causal', generate: 7 }, defaults).generate, 7);
    assert.equal(resolveSettings({}, { ...defaults, layer: 'learned-causal' }).generate, undefined);
    assert.equal(resolveSettings({ generate: 3 }, { ...defaults, layer: 'learned-causal' }).generate, 3, 'the shipped model the setting names');
    assert.equal('generate' in resolveSettings({ model: 'learned-causal' }, defaults), false);
    const bad = (s: Record<string, unknown>, message: RegExp) =>
      assert.throws(() => resolveSettings(s as CellSettings, defaults), (e: unknown) => e instanceof CellSettingError && e.setting === 'generate' && message.test(e.message));
    bad({ generate: 5 }, /"generate" needs a causal language model: set "model"/);
    bad({ model: '', generate: 5 }, /needs a causal language model/);
    bad({ model: 'learned-causal', generate: 0 }, /"generate" is 0; use a whole number from 1 to 100000/);
    bad({ model: 'learned-causal', generate: 2.5 }, /whole number/);
    bad({ model: 'learned-causal', generate: '5' }, /whole number/);
  });

  it('changes one setting and keeps every other field of the metadata', () => {
    const meta = { settings: { heads: 2, future: 'x' }, metadata: { tags: ['a'] }, reviewer: 'ana' };
    assert.deepEqual(withSetting(meta, 'mask', 'causal'), {
      settings: { heads: 2, future: 'x', mask: 'causal' }, metadata: { tags: ['a'] }, reviewer: 'ana',
    });
    assert.deepEqual(withSetting(meta, 'heads', undefined).settings, { future: 'x' });
    assert.deepEqual(meta.settings, { heads: 2, future: 'x' }, 'the original is not modified');
    assert.deepEqual(settingsOf(undefined), {});
    assert.deepEqual(settingsOf({ settings: [1] }), {});
  });

  it('tells a matrix of embeddings from text', () => {
    for (const m of ['1 2\n3 4', '[[1, 2], [3, 4]]', '0.5, -1e-3\n2, 3', '[1, 2, 3]']) assert.equal(looksLikeMatrix(m), true, m);
    for (const t of ['2024', '我喜欢吃苹果', '[CLS] hello', 'e e', '', '1.5']) assert.equal(looksLikeMatrix(t), false, t);
  });
});
