// Reads and validates the attentionExplorer.* settings in one place.
import * as vscode from 'vscode';
import type { MaskKind, WeightInit } from '../core/types';
import { ENGINE_SETTINGS, type EngineSetting } from '../engine/run';
import { LAYER_CHOICES, type LayerChoice } from '../shared/shippedModels';

export interface ExploreSettings {
  engine: EngineSetting;
  heads: number;
  dModel: number;
  seed: number;
  mask: MaskKind;
  maxTokensWithoutAsking: number;
  /** Runs estimated to need more are refused before they start. */
  maxMemoryMegabytes: number;
  maxModelMegabytesWithoutAsking: number;
  weights: WeightInit;
  /** The seeded random layer, or a model shipped with the extension. */
  layer: LayerChoice;
  /** Generate and Explore: new tokens at most. */
  generateTokens: number;
}

function intSetting(cfg: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = cfg.get<number>(key, fallback);
  return Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

export function readSettings(): ExploreSettings {
  const cfg = vscode.workspace.getConfiguration('attentionExplorer');
  const mask = cfg.get<string>('mask', 'none');
  const engine = cfg.get<string>('engine', 'auto');
  const layer = cfg.get<string>('layer', 'random');
  return {
    engine: ENGINE_SETTINGS.find((e) => e === engine) ?? 'auto',
    heads: intSetting(cfg, 'heads', 4, 1, 64),
    dModel: intSetting(cfg, 'dModel', 64, 1, 4096),
    seed: intSetting(cfg, 'seed', 42, -(2 ** 31), 2 ** 32),
    mask: mask === 'causal' ? 'causal' : 'none',
    maxTokensWithoutAsking: intSetting(cfg, 'maxTokensWithoutAsking', 2048, 1, 1_000_000),
    maxMemoryMegabytes: intSetting(cfg, 'maxMemoryMegabytes', 2048, 1, 1_000_000_000),
    maxModelMegabytesWithoutAsking: intSetting(cfg, 'maxModelMegabytesWithoutAsking', 256, 0, 1_000_000),
    weights: cfg.get<string>('weights', 'random') === 'identity' ? 'identity' : 'random',
    layer: LAYER_CHOICES.find((l) => l === layer) ?? 'random',
    generateTokens: intSetting(cfg, 'generateTokens', 20, 1, 1_000_000),
  };
}
