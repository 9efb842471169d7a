// Property-based tests of the command line's input validation, with fast-check: the UTF-8 check
// agrees with TextDecoder and points at the first bad byte, the JSON depth scan refuses exactly
// what nests too deeply, sizes and integer options either parse or fail with the right error.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkJsonDepth, InputError, MAX_JSON_DEPTH, parseByteSize } from '../../../src/core';
import { UsageError } from '../../../src/cli/errors';
import { decodeUtf8, firstInvalidUtf8 } from '../../../src/cli/io';
import { intOption, MAX_SEED } from '../../../src/cli/options';
import { cli } from './runCli';


/** Runs `f` and returns the class of what it threw ('none' when nothing). */
function thrown(f: () => unknown): 'none' | 'input' | 'usage' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    if (e instanceof InputError) return 'input';
    if (e instanceof UsageError) return 'usage';
    return 'other';
  }
}

describe('command line: input validation properties', function () {
  this.timeout(30_000);

  it('firstInvalidUtf8 is the length exactly when TextDecoder accepts, and the bytes before it decode', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const at = firstInvalidUtf8(bytes);
      const valid = thrown(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)) === 'none';
      assert.equal(at === bytes.length, valid);
      assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, at)));
      if (!valid) assert.throws(() => decodeUtf8(bytes, 'f'), new RegExp(`at byte offset ${at} `));
    }), { numRuns: 2000 });
  });

  it('decodeUtf8 reads back any text written as UTF-8', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      // A leading byte order mark is not text: it is dropped, as editors do.
      assert.equal(decodeUtf8(Buffer.from(text, 'utf8'), 'f'), text.replace(/^\uFEFF/, ''));
    }), { numRuns: 500 });
  });

  it('checkJsonDepth refuses exactly what nests deeper than the limit, and only with an InputError', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 * MAX_JSON_DEPTH }), fc.constantFrom('[]', '{"a":}'), (depth, pair) => {
      const [open, close] = pair === '[]' ? ['[', ']'] : ['{"a":', '}'];
      const text = `${open.repeat(depth)}${pair === '[]' ? '' : '1'}${close.repeat(depth)}`;
      assert.equal(thrown(() => checkJsonDepth(text, 'f')), depth > MAX_JSON_DEPTH ? 'input' : 'none');
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
      assert.equal(thrown(() => checkJsonDepth(JSON.stringify(value), 'f')), 'none');
    }), { numRuns: 300 });
  });

  it('parseByteSize reads numbers and units, and anything else is null, never NaN', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (n) => {
      assert.equal(parseByteSize(String(n)), n);
    }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), fc.constantFrom('k', 'M', 'GB', 'gib', 'T'), (n, unit) => {
      const power = ['k', 'm', 'g', 't'].indexOf(unit[0].toLowerCase()) + 1;
      assert.equal(parseByteSize(`${n}${unit}`), n * 1024 ** power);
    }));
    fc.assert(fc.property(fc.string({ maxLength: 12 }), (text) => {
      const v = parseByteSize(text);
      assert.ok(v === null || (Number.isSafeInteger(v) && v > 0), `${JSON.stringify(text)} → ${v}`);
    }), { numRuns: 1000 });
  });

  it('intOption accepts integers in range, refuses others out of range (input) or not integers (usage)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (v) => {
      const want = v < 0 || v > MAX_SEED ? 'input' : 'none';
      assert.equal(thrown(() => intOption('seed', String(v), 42, 0, MAX_SEED)), want);
    }), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ maxLength: 8 }), (text) => {
      const kind = thrown(() => intOption('heads', text, 4, 1, 64));
      assert.notEqual(kind, 'other');
      if (!/^\s*[+-]?\d+\s*$/.test(text)) assert.equal(kind, 'usage');
    }), { numRuns: 1000 });
  });

  it('the command line ends any --text-file in success or one line with exit 1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'attention-prop-'));
    try {
      fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 24 }), (bytes) => {
        const file = path.join(dir, 'text.txt');
        writeFileSync(file, bytes);
        const r = cli('run', '--text-file', file, '--heads', '1', '--d-model', '4');
        assert.ok(r.status === 0 || r.status === 1, `status ${r.status}: ${r.stderr}`);
        if (r.status === 1) {
          assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
          const at = firstInvalidUtf8(bytes);
          if (at < bytes.length) assert.match(r.stderr, new RegExp(`at byte offset ${at} `));
        }
      }), { numRuns: 12 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
