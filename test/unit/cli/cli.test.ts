// The command line as a user runs it: `node dist/cli.js …` (built by `node scripts/build.mjs cli`).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { layerSpec, runLayer } from '../../../src/core';
import { assertFails, cli, cliScratch, CORE_FIXTURES, flat, maxDiff } from './runCli';

const WORDPIECE = path.join(CORE_FIXTURES, 'tokenizers', 'wordpiece.json');

describe('command line', function () {
  this.timeout(20000);
  const scratch = cliScratch('attention-cli-');

  it('prints help', () => {
    const r = cli('--help');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /case FILE\.json/);
    assert.match(r.stdout, /run \(--text "…" \| --matrix FILE\)/);
    assert.match(r.stdout, /steps \(--text "…" \| --matrix FILE\) --head K/);
    assert.match(r.stdout, /null where the mask hides/);
    assert.equal(cli('run', '--help').status, 0);
    assert.equal(cli('steps', '--help').status, 0);
  });

  describe('case', () => {
    const files = readdirSync(CORE_FIXTURES).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      it(`reproduces the PyTorch reference for ${file}`, () => {
        const r = cli('case', path.join(CORE_FIXTURES, file), '--engine', 'core');
        assert.equal(r.status, 0, r.stderr);
        const got = JSON.parse(r.stdout) as { weights: number[][][]; output: number[][] };
        const want = JSON.parse(readFileSync(path.join(CORE_FIXTURES, file), 'utf8')).expected;
        assert.ok(maxDiff(flat(got.weights), flat(want.weights)) <= 1e-5, 'weights');
        const scale = Math.max(1, ...flat(want.output).map(Math.abs));
        assert.ok(maxDiff(flat(got.output), flat(want.output)) <= 1e-5 * scale, 'output');
        assert.equal(got.weights.length, want.weights.length);
        assert.equal(got.output[0].length, want.output[0].length);
      });
    }

    it('writes to --out instead of stdout', () => {
      const out = path.join(scratch.dir, 'case.json');
      const r = cli('case', path.join(CORE_FIXTURES, 'one_token.json'), '--out', out);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')).weights, [[[1]], [[1]]]);
    });

    it('reports bad cases in one line', () => {
      const write = (name: string, body: string) => {
        const file = path.join(scratch.dir, name);
        writeFileSync(file, body);
        return file;
      };
      const I = [[1, 0], [0, 1]];
      const weights = { wq: I, wk: I, wv: I, wo: I };
      assertFails(cli('case', path.join(scratch.dir, 'missing.json')), 2, /cannot read .*missing\.json: no such file/);
      assertFails(cli('case', write('broken.json', '{"x": [[1, 2]')), 1, /not valid JSON/);
      assertFails(cli('case', write('ragged.json', JSON.stringify({ x: [[1, 2], [3]], heads: 1, weights }))), 1, /x: row 2 has 1 value/);
      assertFails(cli('case', write('nan.json', JSON.stringify({ x: [[1, 'NaN']], heads: 1, weights }))), 1, /x: row 1, column 2/);
      assertFails(cli('case', write('heads.json', JSON.stringify({ x: [[1, 2]], heads: 3, weights }))), 1, /not divisible by 3 heads/);
      assertFails(cli('case', write('shape.json', JSON.stringify({ x: [[1, 2, 3]], heads: 1, weights }))), 1, /wq must be 3 × 3/);
      assertFails(cli('case', write('mask.json', JSON.stringify({ x: [[1, 2]], mask: 'diagonal', weights }))), 1, /"mask" must be/);
    });

    it('names the engines it knows when asked for another', () => {
      assertFails(cli('case', path.join(CORE_FIXTURES, 'one_token.json'), '--engine', 'tpu'), 2, /unknown engine "tpu"; available: core/);
    });
  });

  describe('run', () => {
    it('runs the editor computation with the default settings', () => {
      const r = cli('run', '--text', '我喜欢吃苹果');
      assert.equal(r.status, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.deepEqual(body.tokens.map((t: { text: string }) => t.text), ['我', '喜', '欢', '吃', '苹', '果']);
      assert.deepEqual([body.heads, body.dModel, body.seed, body.n], [4, 64, 42, 6]);
      assert.equal(body.weights.length, 4);
      const same = runLayer({ kind: 'text', text: '我喜欢吃苹果' }, layerSpec({ heads: 4, dModel: 64, seed: 42 })).result;
      assert.ok(maxDiff(flat(body.weights), Array.from(same.weights)) < 1e-8);
      for (const row of body.weights.flat()) assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-6);
      assert.equal(cli('run', '--text', '我喜欢吃苹果').stdout, r.stdout, 'deterministic');
    });

    it('honours --heads, --d-model, --seed and --mask causal', () => {
      const r = cli('run', '--text', 'the cat sat on the mat', '--heads', '2', '--d-model', '8', '--seed', '7', '--mask', 'causal');
      assert.equal(r.status, 0, r.stderr);
      const body = JSON.parse(r.stdout);
      assert.deepEqual([body.heads, body.dModel, body.dHead, body.n], [2, 8, 4, 6]);
      for (const head of body.weights) head.forEach((row: number[], q: number) => row.forEach((w, k) => k > q && assert.equal(w, 0)));
      assert.notEqual(cli('run', '--text', 'the cat sat on the mat', '--heads', '2', '--d-model', '8').stdout, r.stdout);
    });

    it('writes CSV with one row per head, query and key', () => {
      const out = path.join(scratch.dir, 'weights.csv');
      const r = cli('run', '--text', 'a b c', '--heads', '2', '--d-model', '4', '--format', 'csv', '--out', out);
      assert.equal(r.status, 0, r.stderr);
      const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
      assert.equal(lines[0], 'head,query,key,weight');
      assert.equal(lines.length, 1 + 2 * 3 * 3);
      assert.match(lines[1], /^0,0,0,[0-9.e-]+$/);
      assert.match(lines[lines.length - 1], /^1,2,2,/);
    });

    it('tokenizes with a tokenizer.json', () => {
      const r = cli('run', '--text', 'The cats sat.', '--tokenizer', WORDPIECE, '--heads', '2', '--d-model', '8');
      assert.equal(r.status, 0, r.stderr);
      const tokens = JSON.parse(r.stdout).tokens;
      assert.deepEqual(tokens.map((t: { text: string }) => t.text), ['[CLS]', 'the', 'cat', '##s', 'sat', '.', '[SEP]']);
      assert.deepEqual(tokens[0], { text: '[CLS]', start: 0, end: 0, id: 2, special: true });
      assert.deepEqual([tokens[3].start, tokens[3].end], [7, 8]);
    });

    it('reports bad options in one line', () => {
      assertFails(cli('run'), 2, /run needs --text/);
      assertFails(cli('run', '--text', 'a', '--heads', 'four'), 2, /--heads must be an integer/);
      assertFails(cli('run', '--text', 'a', '--heads', '3'), 1, /d_model 64 is not divisible by 3 heads/);
      assertFails(cli('run', '--text', 'a', '--d-model', '0'), 1, /--d-model must be at least 1/);
      assertFails(cli('run', '--text', 'a', '--format', 'xml'), 2, /--format must be json or csv/);
      assertFails(cli('run', '--text', 'a', '--mask', 'diagonal'), 2, /--mask must be/);
      assertFails(cli('run', '--text', '   '), 1, /no tokens/);
      assertFails(cli('run', '--text', 'a', '--tokenizer', path.join(scratch.dir, 'none.json')), 2, /cannot read/);
      assertFails(cli('run', '--txt', 'a'), 2, /Unknown option '--txt'/);
      assertFails(cli('frobnicate'), 2, /unknown command "frobnicate"/);
    });
  });
});
