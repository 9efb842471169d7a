// A saved view state is checked against the data it meets: anything unknown or out of range
// falls back to the default, so a reloaded panel never asks for a head that is not there.
import assert from 'node:assert/strict';
import { ALL_HEADS, defaultState, fitState } from '../../../webview/viewState';

const shape = { sequences: [{ layers: 3, heads: 4, n: 10 }, { layers: 1, heads: 2, n: 5 }] };

describe('explorer view state', () => {
  it('keeps a state that fits', () => {
    const s = { ...defaultState(), view: 'model', sequence: 0, layer: 2, head: 3, rollout: true, topK: 4, sortBy: 'entropy', hiddenHeads: [1, 3] };
    assert.deepEqual(fitState(s, shape), s);
  });

  it('falls back for anything unknown or out of range', () => {
    const fitted = fitState(
      { view: 'neuron', sequence: 1, layer: 2, head: 7, aggregate: 'median', rollout: true, threshold: 3, topK: 99, sortBy: 'x', hiddenHeads: [0, 5, 'a'], compareA: { sequence: 9 } },
      shape,
    );
    assert.equal(fitted.view, 'heatmaps');
    assert.equal(fitted.sequence, 1);
    assert.equal(fitted.layer, 0, 'sequence 2 has one layer');
    assert.equal(fitted.head, ALL_HEADS);
    assert.equal(fitted.aggregate, 'none');
    assert.equal(fitted.rollout, false, 'rollout needs several layers');
    assert.equal(fitted.threshold, 0);
    assert.equal(fitted.topK, 0);
    assert.equal(fitted.sortBy, 'layer');
    assert.deepEqual(fitted.hiddenHeads, [0]);
    assert.deepEqual(fitted.compareA, { sequence: 0, layer: 0, head: 0 });
  });

  it('offers the generation view for generated text only, at a generated token', () => {
    const generated = { sequences: [{ layers: 4, heads: 4, n: 12, generated: 5 }] };
    assert.equal(fitState({ view: 'generate', step: 3 }, generated).view, 'generate');
    assert.equal(fitState({ view: 'generate', step: 3 }, generated).step, 3);
    assert.equal(fitState({ view: 'generate', step: 9 }, generated).step, 4, 'past the last: the last');
    assert.equal(fitState({ view: 'generate', step: -1 }, generated).step, 4);
    assert.equal(fitState({ view: 'generate', step: 2 }, shape).view, 'heatmaps', 'text that was not generated');
    assert.equal(fitState({ view: 'generate' }, { sequences: [{ layers: 1, heads: 1, n: 3, generated: 0 }] }).step, 0);
  });

  it('accepts nothing at all', () => {
    for (const raw of [undefined, null, 42, 'x', []]) assert.deepEqual(fitState(raw, shape).view, 'heatmaps');
    assert.equal(fitState({}, { sequences: [] }).sequence, 0);
  });
});
