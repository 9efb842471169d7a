// Grouped-query attention as every view draws it: which key/value head a query head reads, where
// the lines between groups go, what the captions say, and which counts are refused.
import assert from 'node:assert/strict';
import { HeadGroups, isKvHeadCount, isKvHeadsList, layerGroups } from '../../../src/shared/headGroups';

const EN = 'KV head {0} of {1}';
const ZH = '键值头 {0}/{1}';

describe('head groups', () => {
  it('puts query head h in key/value head floor(h / (H / K))', () => {
    const g = new HeadGroups(8, 2);
    assert.equal(g.size, 4);
    assert.ok(g.grouped);
    assert.deepEqual(Array.from({ length: 8 }, (_, h) => g.groupOf(h)), [0, 0, 0, 0, 1, 1, 1, 1]);
    const mqa = new HeadGroups(6, 1);
    assert.deepEqual(Array.from({ length: 6 }, (_, h) => mqa.groupOf(h)), [0, 0, 0, 0, 0, 0]);
    const four = new HeadGroups(12, 4);
    assert.deepEqual(Array.from({ length: 12 }, (_, h) => four.groupOf(h)), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
  });

  it('draws a line before the first head of every group but the first, and none without sharing', () => {
    const before = (g: HeadGroups) => Array.from({ length: g.heads }, (_, h) => h).filter((h) => g.startsGroup(h));
    assert.deepEqual(before(new HeadGroups(8, 2)), [4]);
    assert.deepEqual(before(new HeadGroups(12, 4)), [3, 6, 9]);
    assert.deepEqual(before(new HeadGroups(8, 1)), [], 'one group: nothing to separate');
    assert.deepEqual(before(new HeadGroups(8, 8)), [], 'no sharing');
    assert.deepEqual(before(new HeadGroups(8)), []);
  });

  it('captions a head with its key/value head in the given language, and leaves unshared heads as they were', () => {
    const g = new HeadGroups(8, 2);
    assert.equal(g.kvCaption(0, EN), 'KV head 1 of 2');
    assert.equal(g.kvCaption(5, EN), 'KV head 2 of 2');
    assert.equal(g.withKv('Head 6', 5, EN), 'Head 6 · KV head 2 of 2');
    assert.equal(g.withKv('头 4', 3, ZH), '头 4 · 键值头 1/2');
    const plain = new HeadGroups(8, 8);
    assert.equal(plain.grouped, false);
    assert.equal(plain.kvCaption(5, EN), '');
    assert.equal(plain.withKv('Head 6', 5, EN), 'Head 6');
  });

  it('refuses key/value head counts that cannot be shared', () => {
    for (const kv of [3, 0, -2, 2.5, 16, Number.NaN]) {
      assert.throws(() => new HeadGroups(8, kv), RangeError, String(kv));
      assert.equal(isKvHeadCount(kv, 8), false, String(kv));
    }
    assert.throws(() => new HeadGroups(0, 1), RangeError);
    assert.equal(isKvHeadCount('2', 8), false);
    for (const kv of [1, 2, 4, 8]) assert.equal(isKvHeadCount(kv, 8), true, String(kv));
  });

  it('checks a list per layer: one entry each, each dividing the heads', () => {
    assert.equal(isKvHeadsList([2, 2], 2, 8), true);
    assert.equal(isKvHeadsList([2, 8], 2, 8), true);
    assert.equal(isKvHeadsList([2], 2, 8), false, 'too short');
    assert.equal(isKvHeadsList([2, 2, 2], 2, 8), false, 'too long');
    assert.equal(isKvHeadsList([2, 3], 2, 8), false, '3 does not divide 8');
    assert.equal(isKvHeadsList({ 0: 2, 1: 2, length: 2 }, 2, 8), false, 'not a list');
  });

  it('picks a layer\'s groups from a run\'s list, with no sharing when the list is absent', () => {
    assert.equal(layerGroups(8, [2, 4], 1).size, 2);
    assert.equal(layerGroups(8, undefined, 1).grouped, false);
  });
});
