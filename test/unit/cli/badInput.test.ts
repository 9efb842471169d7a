// Every bad input the command line was found to mishandle, one regression test each: exit 1 for
// input the computation rejects, 2 for a bad command line or an unreadable file, and exactly one
// short line on stderr naming the problem and where it is; never 70, a signal or a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assertFails, cli, CLI, cliScratch, CORE_FIXTURES, ROOT } from './runCli';

const WORDPIECE = path.join(CORE_FIXTURES, 'tokenizers', 'wordpiece.json');
const GPT = path.join(ROOT, 'test', 'fixtures', 'onnx', 'gpt_tiny.onnx');

/** d × d identity as rows. */
const identity = (d: number): number[][] => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));

/** A case with identity projections (or those given) on rows x. */
function caseJson(x: number[][], heads: number, weights: Record<string, number[][]> = {}): string {
  const d = x[0].length;
  return JSON.stringify({ x, heads, weights: { wq: identity(d), wk: identity(d), wv: identity(d), wo: identity(d), ...weights } });
}

/** `n` words of text. */
const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('command line: bad input', function () {
  this.timeout(30_000);
  const scratch = cliScratch('attention-bad-');
  const write = scratch.write;

  it('1. refuses JSON nested 10,000 deep before parsing it, naming where', () => {
    const deep = write('deep.json', `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    assertFails(cli('case', deep), 1, /deep\.json nests arrays or objects deeper than 256 levels \(at character \d+\)/);
    const tokenizer = JSON.parse(readFileSync(WORDPIECE, 'utf8'));
    tokenizer.extra = JSON.parse(`${'['.repeat(300)}${']'.repeat(300)}`);
    assertFails(cli('run', '--text', 'hi', '--tokenizer', write('deep-tok.json', JSON.stringify(tokenizer))), 1, /nests .* deeper than 256/);
    // A matrix file is JSON too; so is a cell that is an array where a number belongs.
    const matrix = write('deep-matrix.json', `[${'['.repeat(10_000)}1${']'.repeat(10_000)}]`);
    assertFails(cli('run', '--matrix', matrix), 1, /the matrix nests arrays or objects deeper than 256 levels/);
    assertFails(cli('run', '--matrix', write('cell.json', `[[1,${'['.repeat(200)}${']'.repeat(200)}]]`)), 1, /row 1, column 2: an array is not a number/);
    // Brackets inside strings are text, not nesting.
    const strings = write('strings.json', caseJson([[1, 2], [3, 4]], 1).replace('{', `{"note":"${'['.repeat(1000)}",`));
    assert.equal(cli('case', strings).status, 0);
  });

  it('2. case --engine onnx with heads that do not divide d_model fails like the core (exit 1)', () => {
    const file = write('heads3.json', caseJson([[1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1, 1, 1]], 3));
    for (const engine of ['core', 'onnx']) {
      assertFails(cli('case', file, '--engine', engine), 1, /d_model 8 is not divisible by 3 heads/);
    }
  });

  it('3. names a tokenizer.json field of the wrong type (unk_token a number)', () => {
    const tokenizer = JSON.parse(readFileSync(WORDPIECE, 'utf8'));
    tokenizer.model.unk_token = 5;
    assertFails(cli('run', '--text', 'hi', '--tokenizer', write('unk.json', JSON.stringify(tokenizer))), 1, /"model\.unk_token" must be a string, got 5/);
  });

  it('4. refuses --d-model 100000 or 50,000 tokens before allocating, naming --max-memory', () => {
    assertFails(cli('run', '--text', 'hi', '--d-model', '100000'), 1, /d_model 100000 need about 149 GB, more than the limit of 2\.0 GB; --max-memory allows more/);
    assertFails(cli('steps', '--head', '0', '--text', 'hi', '--d-model', '100000'), 1, /--max-memory allows more/);
    // (A file: one argument of 50,000 words is past the kernel's limit on an argument's length.)
    assertFails(cli('run', '--text-file', write('n50k.txt', words(50_000))), 1, /50000 tokens × 4 heads × 1 layer, d_model 64 need about \d+ GB/);
    assertFails(cli('case', write('small.json', caseJson([[1, 2], [3, 4]], 1)), '--max-memory', '100'), 1, /more than the limit of 100 bytes/);
    // The limit can be raised, in any of its spellings, and a bad one is a bad command line.
    assert.equal(cli('run', '--text', 'hi', '--max-memory', '4GB').status, 0);
    assert.equal(cli('run', '--text', 'hi', '--max-memory', '512MB').status, 0);
    assert.equal(cli('run', '--text', 'hi', '--max-memory', '1000000').status, 0);
    // Past what one array can hold, no limit makes it possible.
    assertFails(cli('run', '--text', 'hi', '--d-model', '100000', '--max-memory', '1TB'), 1, /need an array of 10000000000 values, more than one array can hold/);
    assertFails(cli('run', '--text', 'hi', '--max-memory', 'lots'), 2, /--max-memory must be a size such as 4GB/);
  });

  it('4. refuses a model run too large once its layers and heads are counted', () => {
    assertFails(cli('run', '--model', GPT, '--ids', '1,2,3', '--max-memory', '100'), 1, /3 tokens × 2 heads × \d+ layers need about .* --max-memory allows more/);
  });

  it('5. streams 3,000 tokens of JSON to a file, complete and parseable', () => {
    const out = path.join(scratch.dir, 'n3000.json');
    const r = cli('run', '--text', words(3000), '--heads', '1', '--d-model', '4', '--out', out);
    assert.equal(r.status, 0, r.stderr);
    const body = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(body.n, 3000);
    assert.equal(body.weights[0].length, 3000);
    assert.equal(body.weights[0][2999].length, 3000);
  });

  it('5. streams CSV row by row, complete', () => {
    const r = cli('run', '--text', words(300), '--heads', '2', '--d-model', '4', '--format', 'csv');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1 + 2 * 300 * 300);
    assert.equal(lines.at(-1)?.split(',').slice(0, 3).join(','), '1,299,299');
  });

  it('6. prints no onnxruntime log line before its own one-line report', () => {
    assertFails(cli('run', '--model', GPT, '--ids', '1,2,99999999'), 1, /gpt_tiny\.onnx: .*indices element out of data bounds/);
  });

  it('7. a write that fails half-way leaves the old --out file and no temporary file', () => {
    const dir = mkdtempSync(path.join(scratch.dir, 'atomic-'));
    const out = write(path.relative(scratch.dir, path.join(dir, 'out.json')), 'old\n');
    // A file-size limit of 8 blocks (4 kB) stops the write part way, as a full disk would.
    const r = spawnSync('bash', ['-c', 'ulimit -f 8; exec "$0" "$@"', process.execPath, CLI, 'run', '--text', words(100), '--out', out], { encoding: 'utf8' });
    assertFails({ status: r.status, stdout: r.stdout, stderr: r.stderr }, 2, /cannot write .*out\.json: EFBIG/);
    assert.equal(readFileSync(out, 'utf8'), 'old\n');
    assert.deepEqual(readdirSync(dir), ['out.json']);
  });

  it('8. ends quietly when the reader closes the pipe (run … | head -c1)', () => {
    const r = spawnSync('bash', ['-c', '"$0" "$@" | head -c1 >/dev/null; exit ${PIPESTATUS[0]}', process.execPath, CLI, 'run', '--text', words(300)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });

  it('9. reads --text-file as UTF-8 and reports an invalid byte by its offset', () => {
    const good = write('good.txt', 'the cat sat');
    const r = cli('run', '--text-file', good);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).n, 3);
    const bad = write('bad.txt', Buffer.concat([Buffer.from('héllo '), Buffer.from([0xc3, 0x28]), Buffer.from(' world')]));
    assertFails(cli('run', '--text-file', bad), 1, /bad\.txt is not UTF-8: byte 0xc3 at byte offset 7/);
    assertFails(cli('steps', '--head', '0', '--text-file', bad), 1, /byte offset 7/);
    assertFails(cli('run', '--text-file', write('cut.txt', Buffer.from([0x61, 0xe6, 0x88]))), 1, /byte 0xe6 at byte offset 1/);
    assertFails(cli('run', '--text', 'a', '--text-file', good), 2, /either --text or --text-file/);
  });

  it('9. folds a long or multi-line message into one line of at most about 300 characters', () => {
    const text = `${'x'.repeat(400)}\n${'y'.repeat(400)}`;
    const r = cli('case', write(`${'long'.repeat(40)}.json`, text));
    assertFails(r, 1, /is not valid JSON/);
    assert.ok(r.stderr.trimEnd().length <= 300, `${r.stderr.length} characters`);
  });

  it('10. refuses seeds outside 0 … 2³² − 1 (exit 1, like every range check)', () => {
    assertFails(cli('run', '--text', 'hi', '--seed', '4294967296'), 1, /--seed must be at most 4294967295, got 4294967296/);
    assertFails(cli('run', '--text', 'hi', '--seed=-1'), 1, /--seed must be at least 0, got -1/);
    assert.equal(cli('run', '--text', 'hi', '--seed', '4294967295').status, 0);
  });

  it('11. clamps --threads to what onnxruntime-web runs, and says so in one line', () => {
    const r = cli('run', '--model', GPT, '--ids', '1,2', '--threads', '1000');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stderr.trimEnd().split('\n'), ['attention-explorer: --threads 1000: onnxruntime-web runs at most 4; running with 4']);
    assert.equal(JSON.parse(r.stdout).layers.length, 2);
    assertFails(cli('run', '--model', GPT, '--ids', '1,2', '--threads', '0'), 1, /--threads must be at least 1, got 0/);
  });

  describe('overflow', () => {
    const BIG = 1e30;

    it('a query whose scores overflow float32 is exit 1 naming sequence and query, on both engines', () => {
      const file = write('scores.json', caseJson([[1, 1, 1, 1], [BIG, BIG, 0, 0]], 2));
      for (const engine of ['core', 'onnx']) {
        assertFails(cli('case', file, '--engine', engine), 1, /sequence 1, query 2 \(head 1\): its score for key 2 overflows float32/);
      }
      const matrix = write('scores.csv', `1,1,1,1\n${BIG},${BIG},0,0\n`);
      assertFails(cli('run', '--matrix', matrix, '--heads', '2'), 1, /sequence 1, query 2 .*overflows float32/);
      assertFails(cli('steps', '--head', '1', '--matrix', matrix, '--heads', '2'), 1, /sequence 1, query 2 .*overflows float32/);
    });

    it('an output that overflows float32 is exit 1 naming the query, on both engines', () => {
      const zero = [[0, 0], [0, 0]];
      const file = write('output.json', caseJson([[1, 1], [1e20, 1]], 1, { wq: zero, wk: zero, wv: [[1e20, 0], [0, 1]] }));
      for (const engine of ['core', 'onnx']) {
        assertFails(cli('case', file, '--engine', engine), 1, /sequence 1, query 1: its output \(column 1\) overflows float32/);
      }
    });

    it('a row the padding mask hides entirely stays a documented row of zeros', () => {
      const r = cli('case', path.join(CORE_FIXTURES, 'fully_masked_row.json'));
      assert.equal(r.status, 0, r.stderr);
      const body = JSON.parse(r.stdout) as { weights: number[][][] };
      for (const head of body.weights) assert.deepEqual(head[0], [0, 0, 0, 0]);
    });
  });
});
