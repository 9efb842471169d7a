// The command line as the tests run it: `node dist/cli.js …` from the repository root, and the
// checks its results share.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../../..'); // out/test/unit/cli → the repository
export const CORE_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'core');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface CliResult { status: number | null; stdout: string; stderr: string }

/** Runs the built command line; stdout may hold a model's weights, hence the large buffer. */
export function cli(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure is one line on stderr naming the problem, a non-zero status, and no stack trace. */
export function assertFails(r: CliResult, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, `status; stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

/** Nested JSON arrays as one flat list of numbers. */
export const flat = (a: unknown): number[] => (a as unknown[]).flat(Infinity as 1) as number[];

export function maxDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/**
 * For a describe block: checks that dist/cli.js is built, and gives a folder of its own for the
 * files the tests write (removed afterwards) with a way to write one.
 */
export function cliScratch(prefix: string): { readonly dir: string; write(name: string, body: string | Uint8Array): string } {
  let dir = '';
  before(function () {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "node scripts/build.mjs cli" first`);
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
    write(name, body) {
      const file = path.join(dir, name);
      writeFileSync(file, body);
      return file;
    },
  };
}
