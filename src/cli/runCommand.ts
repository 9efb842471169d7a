// `run --text "…"`: the computation the editor command runs on a selection, from the shell.

import { attentionForText, InputError, type MaskKind, type Token } from '../core';
import { UsageError } from './errors';
import { emit, nestedWeights, weightsCsv } from './io';

export interface RunArgs {
  text: string;
  heads: number;
  dModel: number;
  seed: number;
  mask: MaskKind;
  format: 'json' | 'csv';
  positions: boolean;
  tokenize?: (text: string) => Promise<Token[]>;
  out?: string;
}

export async function runCommand(args: RunArgs): Promise<void> {
  const tokens = args.tokenize ? await args.tokenize(args.text) : undefined;
  const { tokens: used, result } = attentionForText(args.text, {
    heads: args.heads, dModel: args.dModel, seed: args.seed, mask: args.mask, positions: args.positions, tokens,
  });
  if (args.format === 'csv') {
    emit(weightsCsv(result), args.out);
    return;
  }
  const body = {
    tokens: used,
    n: result.n,
    heads: result.heads,
    dModel: result.dModel,
    dHead: result.dHead,
    seed: args.seed,
    mask: args.mask,
    weights: nestedWeights(result),
  };
  emit(JSON.stringify(body) + '\n', args.out);
}

/** Parses an integer option, naming it when the value is not a usable integer. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  const v = Number(value);
  if (v < min) throw new InputError('option', `--${name} must be at least ${min}, got ${v}`);
  return v;
}
