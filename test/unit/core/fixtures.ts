// Loading the PyTorch reference cases written by scripts/fixtures/make_core_fixtures.py.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { weightsFromJson, type LayerWeights, type MaskKind } from '../../../src/core';

/** test/fixtures/core, found from the bundled test file in out/test/unit/core/ or the repo root. */
export const CORE_FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/core');

export interface TorchCase {
  name: string;
  description: string;
  n: number;
  d: number;
  heads: number;
  mask: MaskKind;
  keyPadding?: Uint8Array;
  x: Float32Array; // [N, d]
  layer: LayerWeights;
  fullyMaskedQueries: number[];
  expected: {
    weights: number[]; // [H, N, N] flattened
    output: number[]; // [N, d] flattened
    steps?: Record<string, number[] | number> & { head: number };
  };
}

interface RawCase {
  name: string; description: string; x: number[][]; heads: number; mask: MaskKind;
  keyPadding?: number[]; weights: Record<string, unknown>; fullyMaskedQueries?: number[];
  expected: { weights: number[][][]; output: number[][]; steps?: Record<string, unknown> };
}

const flat = (a: unknown): number[] => (Array.isArray(a) ? a.flat(Infinity as 1) as number[] : [a as number]);

export function loadTorchCases(): TorchCase[] {
  return readdirSync(CORE_FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(path.join(CORE_FIXTURES, f), 'utf8')) as RawCase;
      const steps = raw.expected.steps
        ? Object.fromEntries(Object.entries(raw.expected.steps).map(([k, v]) => [k, k === 'head' ? v : flat(v)]))
        : undefined;
      return {
        name: raw.name,
        description: raw.description,
        n: raw.x.length,
        d: raw.x[0].length,
        heads: raw.heads,
        mask: raw.mask,
        keyPadding: raw.keyPadding ? Uint8Array.from(raw.keyPadding) : undefined,
        x: Float32Array.from(raw.x.flat()),
        layer: weightsFromJson(raw.weights),
        fullyMaskedQueries: raw.fullyMaskedQueries ?? [],
        expected: { weights: flat(raw.expected.weights), output: flat(raw.expected.output), steps: steps as TorchCase['expected']['steps'] },
      };
    });
}
