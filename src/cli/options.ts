// Small option parsers every verb shares.

import { InputError } from '../core';
import { UsageError } from './errors';

/** Parses an integer option, naming it when the value is not a usable integer. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  const v = Number(value);
  if (v < min) throw new InputError('option', `--${name} must be at least ${min}, got ${v}`);
  return v;
}
