import assert from 'node:assert/strict';
import { InputError, parseMatrix } from '../../../src/core';

function fails(text: string, code: string, row?: number, column?: number) {
  assert.throws(
    () => parseMatrix(text),
    (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.code, code, e.message);
      if (row !== undefined) {
        assert.equal(e.row, row);
        assert.equal(e.column, column);
        assert.match(e.message, new RegExp(`row ${row}`));
      }
      return true;
    },
  );
}

describe('parseMatrix', () => {
  it('reads a JSON array of rows', () => {
    const m = parseMatrix(' [[1, 2.5], [-3e2, 0]] ');
    assert.deepEqual([m.rows, m.cols], [2, 2]);
    assert.deepEqual(Array.from(m.data), [1, 2.5, -300, 0]);
  });

  it('reads CSV and whitespace-separated rows, skipping blank lines', () => {
    assert.deepEqual(Array.from(parseMatrix('1,2,3\r\n4, 5 ,6\n').data), [1, 2, 3, 4, 5, 6]);
    const m = parseMatrix('1 2\t3\n\n  4 5 6  \n');
    assert.deepEqual([m.rows, m.cols], [2, 3]);
    assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
  });

  it('reads a flat JSON list as one row', () => {
    assert.deepEqual(parseMatrix('[1, 2, 3]').rows, 1);
  });

  it('names the row of a ragged matrix', () => {
    fails('1 2 3\n4 5 6\n7 8', 'ragged', 3, 3);
    fails('[[1,2],[3]]', 'ragged', 2, 2);
    fails('1,2\n3,4,5', 'ragged', 2, 3);
  });

  it('names the row and column of a non-number', () => {
    fails('1 2\n3 x', 'not-a-number', 2, 2);
    fails('1,,2', 'not-a-number', 1, 2);
    fails('[[1, "2"]]', 'not-a-number', 1, 2);
    fails('[[1, null], [2, 3]]', 'not-a-number', 1, 2);
    fails('0x10 1', 'not-a-number', 1, 1);
  });

  it('rejects NaN, Infinity and values beyond float32', () => {
    fails('1 NaN', 'non-finite', 1, 2);
    fails('1 2\n-Infinity 3', 'non-finite', 2, 1);
    fails('inf', 'non-finite', 1, 1);
    fails('1e39 1', 'non-finite', 1, 1);
  });

  it('reports empty input and broken JSON with their own codes', () => {
    fails('   \n ', 'empty');
    fails('[[1, 2]', 'json');
    fails('[]', 'shape');
  });
});
