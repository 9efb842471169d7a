// `steps --head K` and the layer options it shares with `run` (--matrix, --weights, --no-scale):
// one head's intermediates, whose weights are head K of run's to the last bit.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { assertFails, cli, CLI, ROOT } from './runCli';

const EMBEDDINGS = path.join(ROOT, 'sample', 'embeddings.txt'); // 4 rows of 8
const SMALL = ['--heads', '2', '--d-model', '8'];

interface Steps {
  tokens: { text: string }[];
  head: number;
  q: number[][]; k: number[][]; v: number[][]; output: number[][];
  scores: number[][]; scaled: number[][]; masked: (number | null)[][]; weights: number[][];
}

function json<T>(...args: string[]): T {
  const r = cli(...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}
const steps = (...args: string[]) => json<Steps>('steps', ...args);
const run = (...args: string[]) => json<{ tokens: unknown[]; n: number; dModel: number; weights: number[][][] }>('run', ...args);

describe('command line: steps', function () {
  this.timeout(20000);

  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "node scripts/build.mjs cli" first`);
  });

  it('writes one head with every intermediate, each as nested rows', () => {
    const s = steps('--text', 'the cat sat on the mat', '--head', '3');
    assert.deepEqual(Object.keys(s), ['tokens', 'head', 'q', 'k', 'v', 'scores', 'scaled', 'masked', 'weights', 'output']);
    assert.equal(s.head, 3);
    const n = 6, dHead = 64 / 4; // the defaults: 4 heads, d_model 64
    assert.equal(s.tokens.length, n);
    for (const key of ['q', 'k', 'v', 'output'] as const) {
      assert.deepEqual([s[key].length, s[key][0].length], [n, dHead], key);
    }
    for (const key of ['scores', 'scaled', 'masked', 'weights'] as const) {
      assert.equal(s[key].length, n, key);
      for (const row of s[key]) assert.equal(row.length, n, key);
    }
    for (const row of s.weights) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    // No mask: masked is the scaled scores; scaling divides by sqrt(d_head).
    assert.deepEqual(s.masked, s.scaled);
    assert.ok(Math.abs(s.scaled[1][2] - s.scores[1][2] / Math.sqrt(dHead)) < 1e-5);
  });

  const cases: [string, string[]][] = [
    ['text, random weights', ['--text', '我喜欢吃苹果']],
    ['text, identity weights', ['--text', '我喜欢吃苹果', '--weights', 'identity']],
    ['text, small layer, causal', ['--text', 'the cat sat on the mat', ...SMALL, '--seed', '7', '--mask', 'causal']],
    ['a --matrix file', ['--matrix', EMBEDDINGS, '--heads', '2']],
    ['a --matrix file, identity weights', ['--matrix', EMBEDDINGS, '--heads', '2', '--weights', 'identity']],
  ];
  for (const [name, args] of cases) {
    it(`weights equal head K of run exactly: ${name}`, () => {
      const r = run(...args);
      r.weights.forEach((head, k) => {
        const s = steps(...args, '--head', String(k));
        assert.deepEqual(s.weights, head, `head ${k}`);
        assert.deepEqual(s.tokens, r.tokens);
      });
    });
  }

  it('numbers a --matrix file\'s rows as tokens #1, #2, … and takes d_model from its width', () => {
    const s = steps('--matrix', EMBEDDINGS, '--heads', '2', '--d-model', '64', '--head', '1');
    assert.deepEqual(s.tokens.map((t) => t.text), ['#1', '#2', '#3', '#4']);
    assert.equal(s.q[0].length, 8 / 2);
  });

  it('writes null in masked where a causal mask hides a key', () => {
    const s = steps('--text', 'a b c d', ...SMALL, '--mask', 'causal', '--head', '0');
    s.masked.forEach((row, q) => row.forEach((v, k) => {
      if (k > q) assert.equal(v, null, `[${q}][${k}]`);
      else assert.equal(v, s.scaled[q][k]);
    }));
    s.weights.forEach((row, q) => row.forEach((w, k) => k > q && assert.equal(w, 0)));
  });

  it('--no-scale leaves scaled equal to scores', () => {
    const s = steps('--text', 'a b c d', ...SMALL, '--no-scale', '--head', '1');
    assert.deepEqual(s.scaled, s.scores);
    const scaled = steps('--text', 'a b c d', ...SMALL, '--head', '1');
    assert.notDeepEqual(scaled.scaled, scaled.scores);
    assert.deepEqual(scaled.scores, s.scores);
  });

  it('reports a --head out of range as input (exit 1), naming the range', () => {
    assertFails(cli('steps', '--text', 'a b', '--head', '4'), 1, /--head must be from 0 to 3/);
    assertFails(cli('steps', '--text', 'a b', ...SMALL, '--head=-1'), 1, /--head must be from 0 to 1/);
  });

  it('reports a bad command line in one line (exit 2)', () => {
    assertFails(cli('steps', '--head', '0'), 2, /steps needs --text "…" or --matrix FILE/);
    assertFails(cli('steps', '--text', 'a', '--matrix', EMBEDDINGS, '--head', '0'), 2, /either --text or --matrix, not both/);
    assertFails(cli('steps', '--text', 'a'), 2, /steps needs --head K/);
    assertFails(cli('steps', '--text', 'a', '--head', 'one'), 2, /--head must be an integer/);
    assertFails(cli('steps', '--text', 'a', '--head', '0', '--format', 'csv'), 2, /steps writes json only/);
    assertFails(cli('steps', '--text', 'a', '--head', '0', '--weights', 'ones'), 2, /--weights must be random or identity/);
    assertFails(cli('steps', '--matrix', path.join(ROOT, 'none.txt'), '--head', '0'), 2, /cannot read .*none\.txt/);
  });
});

describe('command line: run --weights and --matrix', function () {
  this.timeout(20000);

  it('--weights identity gives other weights than random, the ones steps gives', () => {
    const args = ['--text', 'the cat sat on the mat', ...SMALL];
    const random = run(...args);
    const identity = run(...args, '--weights', 'identity');
    assert.notDeepEqual(identity.weights, random.weights);
    assert.deepEqual(run(...args, '--weights', 'random'), random);
    assert.deepEqual(steps(...args, '--weights', 'identity', '--head', '1').weights, identity.weights[1]);
  });

  it('--matrix FILE runs the rows as embeddings: 4 rows, 4 tokens, d_model 8', () => {
    const r = run('--matrix', EMBEDDINGS, '--heads', '2');
    assert.equal(r.n, 4);
    assert.equal(r.tokens.length, 4);
    assert.equal(r.dModel, 8);
    assert.equal(r.weights.length, 2);
  });

  it('reports --matrix with --text, or with --tokenizer, and a matrix the heads do not divide', () => {
    assertFails(cli('run', '--text', 'a', '--matrix', EMBEDDINGS), 2, /either --text or --matrix, not both/);
    assertFails(cli('run', '--matrix', EMBEDDINGS, '--tokenizer', 'x.json'), 2, /--tokenizer goes with --text/);
    assertFails(cli('run', '--matrix', EMBEDDINGS, '--heads', '3'), 1, /d_model 8 is not divisible by 3 heads/);
  });
});
