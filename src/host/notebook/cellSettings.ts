// An attention cell's settings: what its metadata says, completed from the user's settings, and
// checked before a run so that a bad value becomes an error output naming the setting.
// No vscode import: the rules are unit tested.
import type { CellSettings, JsonObject } from '../../shared/notebookFormat';
import type { LayerChoice } from '../../shared/shippedModels';

export { looksLikeMatrix } from '../../core';

export const ENGINES = ['core', 'onnx'] as const;
export const MASKS = ['none', 'causal'] as const;
export const VIEWS = ['heads', 'mean'] as const;

export interface ResolvedSettings {
  engine: (typeof ENGINES)[number];
  model: string;
  heads: number;
  dModel: number;
  seed: number;
  mask: (typeof MASKS)[number];
  view: (typeof VIEWS)[number];
  scale: boolean;
  /** New tokens the cell's model generates after its text (Generate and Explore); absent: none. */
  generate?: number;
}

/** The most new tokens a cell may ask for. */
export const MAX_GENERATE = 100_000;

export interface SettingDefaults {
  heads: number;
  dModel: number;
  seed: number;
  mask: 'none' | 'causal' | 'padding';
  /** attentionExplorer.layer: a shipped model is what a cell without a model of its own runs. */
  layer?: LayerChoice;
}

/** A setting that cannot be used, named so the error output can say which. */
export class CellSettingError extends Error {
  override readonly name = 'CellSettingError';
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `settings` object of a cell's metadata, or an empty one. */
export function settingsOf(metadata: { [key: string]: unknown } | undefined): CellSettings {
  const s = metadata?.settings;
  return typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as CellSettings) : {};
}

/** The cell's metadata with one setting replaced (undefined removes it); everything else kept. */
export function withSetting(
  metadata: { [key: string]: unknown } | undefined,
  key: string,
  value: string | number | boolean | undefined,
): { [key: string]: unknown } {
  const settings: JsonObject = { ...(settingsOf(metadata) as JsonObject) };
  if (value === undefined) delete settings[key];
  else settings[key] = value;
  return { ...(metadata ?? {}), settings };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new CellSettingError(name, `setting "${name}" is ${JSON.stringify(value)}; use one of ${allowed.join(', ')}`);
}

function integer(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new CellSettingError(name, `setting "${name}" is ${JSON.stringify(value)}; use a whole number from ${min} to ${max}`);
}

export function resolveSettings(raw: CellSettings, defaults: SettingDefaults): ResolvedSettings {
  // A cell that names no model runs the shipped model the setting chooses, if it chooses one.
  const model = raw.model ?? (defaults.layer !== undefined && defaults.layer !== 'random' ? defaults.layer : '');
  if (typeof model !== 'string') throw new CellSettingError('model', 'setting "model" must be a path');
  if (raw.scale !== undefined && typeof raw.scale !== 'boolean') {
    throw new CellSettingError('scale', `setting "scale" is ${JSON.stringify(raw.scale)}; use true or false`);
  }
  const generate = raw.generate === undefined ? undefined : integer(raw.generate, 0, 'generate', 1, MAX_GENERATE);
  if (generate !== undefined && model.trim() === '') {
    throw new CellSettingError('generate', 'setting "generate" needs a causal language model: set "model" (learned-causal, or an .onnx file)');
  }
  return {
    engine: oneOf(raw.engine, ENGINES, 'core', 'engine'),
    model,
    heads: integer(raw.heads, defaults.heads, 'heads', 1, 64),
    dModel: integer(raw.dModel, defaults.dModel, 'dModel', 1, 4096),
    seed: integer(raw.seed, defaults.seed, 'seed', -(2 ** 31), 2 ** 32),
    mask: oneOf(raw.mask, MASKS, defaults.mask === 'causal' ? 'causal' : 'none', 'mask'),
    view: oneOf(raw.view, VIEWS, 'heads', 'view'),
    scale: raw.scale ?? true,
    ...(generate === undefined ? {} : { generate }),
  };
}
