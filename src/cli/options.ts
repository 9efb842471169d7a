// Small option parsers every verb shares.

import { DEFAULT_MAX_MEMORY, InputError, parseByteSize } from '../core';
import { UsageError } from './errors';

/**
 * Parses an integer option, naming it when the value is not a usable integer (a usage error)
 * or is outside min … max (an input error, as every range check of the computation's).
 */
export function intOption(name: string, value: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  const v = Number(value);
  if (v < min) throw new InputError('option', `--${name} must be at least ${min}, got ${value.trim()}`);
  if (v > max) throw new InputError('option', `--${name} must be at most ${max}, got ${value.trim()}`);
  return v;
}

/** The seeded generator keeps 32 bits: seeds outside them would silently repeat others. */
export const MAX_SEED = 2 ** 32 - 1;

/** onnxruntime-web's intra-op threads the command line lets a run ask for. */
export const MAX_THREADS = 4;

/** The options that bound a run's memory, for every verb that computes. */
export const LIMIT_OPTIONS = {
  'max-memory': { type: 'string' },
} as const;

/** `--max-memory 4GB | 512MB | 1000000`: the most a run may allocate, 2 GB unless given. */
export function maxMemoryOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_MEMORY;
  const bytes = parseByteSize(value);
  if (bytes === null) throw new UsageError(`--max-memory must be a size such as 4GB, 512MB or a number of bytes, got "${value}"`);
  return bytes;
}

/** What the memory refusal tells the user to change. */
export const MAX_MEMORY_FLAG = '--max-memory';
