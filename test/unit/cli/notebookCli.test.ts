// `notebook check` and `notebook resave` as a person or CI runs them: `node dist/cli.js notebook …`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OriginalBytes, readNotebookBytes, writeNotebookBytes } from '../../../src/notebookFile/format';
import { assertFails, cli, cliScratch, ROOT } from './runCli';

const TOUR = path.join(ROOT, 'sample', 'tour.attnb');

describe('command line: notebook', function () {
  this.timeout(20000);
  const scratch = cliScratch('attention-notebook-cli-');
  const write = scratch.write;

  it('is in the help', () => {
    const r = cli('--help');
    assert.match(r.stdout, /notebook check FILE\.attnb…/);
    assert.match(r.stdout, /notebook resave FILE\.attnb \[--out FILE2\]/);
  });

  describe('check', () => {
    it('exits 0 and says nothing when every file opens', () => {
      const v2 = write('good.attnb', '{"format":"attention-notebook","version":2,"metadata":{"cells":[]},"cells":[]}');
      const r = cli('notebook', 'check', TOUR, v2, write('empty.attnb', ''));
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '');
    });

    it('exits 1 with FILE:LINE:COLUMN: problem, one line per bad file', () => {
      const wrongKind = write('kind.attnb', '{\n  "format": "attention-notebook",\n  "version": 2,\n  "cells": [\n    {"kind": "python"}\n  ]\n}\n');
      const syntax = write('syntax.attnb', '{"format": "attention-notebook",\n "version": 2, "cells": [,]}');
      const latin1 = write('latin1.attnb', Uint8Array.from([0x7b, 0x0a, 0x22, 0xe9, 0x22]));
      const missing = path.join(scratch.dir, 'missing.attnb');
      const r = cli('notebook', 'check', TOUR, wrongKind, syntax, latin1, missing);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 4, r.stdout);
      assert.match(lines[0], new RegExp(`^${escape(wrongKind)}:5:14: cells\\[0\\]\\.kind: expected "markdown" or "attention", found "python"$`));
      assert.match(lines[1], new RegExp(`^${escape(syntax)}:2:26: not valid JSON: expected a value but found ","$`));
      assert.match(lines[2], new RegExp(`^${escape(latin1)}:2:2: not UTF-8 text: .*byte offset 3\\b`));
      assert.match(lines[3], new RegExp(`^${escape(missing)}:1:1: cannot read the file: no such file$`));
    });

    it('exits 2 for a bad command line', () => {
      assertFails(cli('notebook', 'check'), 2, /at least one FILE/);
      assertFails(cli('notebook', 'lint', TOUR), 2, /"check" or "resave"/);
      assertFails(cli('notebook', 'check', '--bogus', TOUR), 2, /bogus/);
    });
  });

  describe('resave', () => {
    /** What the extension's serializer writes when VS Code saves the file unchanged. */
    const serializerBytes = (file: string) => {
      const originals = new OriginalBytes();
      return Buffer.from(writeNotebookBytes(readNotebookBytes(readFileSync(file), originals), originals));
    };

    it('writes the bytes the serializer writes: the file itself when unchanged', () => {
      const hand = write('hand.attnb', '{"version":1,"format":"attention-notebook",\r\n\t"cells":[{"source":"a","kind":"attention","outputs":[],"execution":{}}],"generator":"x"}');
      for (const file of [TOUR, hand]) {
        const out = path.join(scratch.dir, `${path.basename(file)}.out`);
        const r = cli('notebook', 'resave', file, '--out', out);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout, '');
        assert.deepEqual(readFileSync(out), serializerBytes(file));
        assert.deepEqual(readFileSync(out), readFileSync(file));
      }
    });

    it('writes to stdout without --out', () => {
      const r = cli('notebook', 'resave', TOUR);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, serializerBytes(TOUR).toString('utf8'));
    });

    it('refuses a file that does not open, in one line, with exit 1', () => {
      const bad = write('bad.attnb', '{"format":"attention-notebook","version":2,"cells":[3]}');
      const out = path.join(scratch.dir, 'never.attnb');
      assertFails(cli('notebook', 'resave', bad, '--out', out), 1, /bad\.attnb:1:53: cells\[0\]: expected an object, found 3$/);
      assert.equal(existsSync(out), false);
      assertFails(cli('notebook', 'resave'), 2, /exactly one FILE/);
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
