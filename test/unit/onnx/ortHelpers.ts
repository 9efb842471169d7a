// Shared by the onnx tests: where the built worker lives, fixtures, and float comparisons.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OrtWorkerClient } from '../../../src/onnx/node/ortWorkerClient';

/** The repository root, from out/test/unit/onnx where the bundled tests run. */
export const repoRoot = path.resolve(__dirname, '../../../..');

/** A client on the shipped layout: dist/ortWorker.js with ORT's WASM files beside it. */
export function distClient(): OrtWorkerClient {
  const workerPath = path.join(repoRoot, 'dist', 'ortWorker.js');
  if (!existsSync(workerPath)) {
    assert.fail(`${workerPath} is missing: run \`node scripts/build.mjs ortWorker\` first`);
  }
  return new OrtWorkerClient({ workerPath });
}

export function fixtureText(name: string): string {
  return readFileSync(path.join(repoRoot, 'test', 'fixtures', 'onnx', name), 'utf8');
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'onnx', name)));
}

/** Asserts |a − b| ≤ tol elementwise, naming the first index that is off. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= tol)) assert.fail(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (|Δ| ${diff} > ${tol})`);
  }
}
