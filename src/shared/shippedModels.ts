// The small trained models that ship in media/models/, as the setting attentionExplorer.layer,
// notebook cells and the command line's --layer name them. media/models/models.json describes
// them (written by scripts/train/train.py); this reads it. Pure: the host and the command line
// each read the file their own way and hand the JSON here.

/** The setting's vocabulary: the seeded random layer, or a shipped model. */
export const LAYER_CHOICES = ['random', 'learned-bidirectional', 'learned-causal'] as const;
export type LayerChoice = (typeof LAYER_CHOICES)[number];
export type ShippedModelName = Exclude<LayerChoice, 'random'>;

/** Where the shipped models sit, relative to the extension's root. */
export const SHIPPED_MODELS_DIR = 'media/models';

export interface ShippedModel {
  name: ShippedModelName;
  /** File names inside SHIPPED_MODELS_DIR. */
  onnx: string;
  tokenizer: string;
  /** What the panel's first line says: "learned, bidirectional, 4 layers × 4 heads, trained on …". */
  label: string;
  /** The longest sequence its learned positions cover (architecture.n_ctx), when models.json says. */
  maxTokens?: number;
}

export function isShippedModelName(v: unknown): v is ShippedModelName {
  return typeof v === 'string' && v !== 'random' && (LAYER_CHOICES as readonly string[]).includes(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The shipped model `name` as models.json describes it
 * (`{"models": {name: {"label", "files": {"model", "tokenizer"}, …}}}`); an Error naming what is
 * missing otherwise.
 */
export function shippedModel(modelsJson: unknown, name: ShippedModelName): ShippedModel {
  const entry = isObject(modelsJson) && isObject(modelsJson.models) ? modelsJson.models[name] : undefined;
  if (!isObject(entry)) throw new Error(`${SHIPPED_MODELS_DIR}/models.json does not describe "${name}"`);
  const files = isObject(entry.files) ? entry.files : {};
  const { label } = entry;
  const { model: onnx, tokenizer } = files;
  for (const [key, value] of Object.entries({ label, 'files.model': onnx, 'files.tokenizer': tokenizer })) {
    if (typeof value !== 'string' || value === '') throw new Error(`${SHIPPED_MODELS_DIR}/models.json: "${name}" has no "${key}"`);
  }
  // File names only: models.json cannot point outside the folder it sits in.
  for (const file of [onnx, tokenizer] as string[]) {
    if (/[\\/]|^\.\.?$/.test(file)) throw new Error(`${SHIPPED_MODELS_DIR}/models.json: "${file}" must be a file name in ${SHIPPED_MODELS_DIR}`);
  }
  const model: ShippedModel = { name, onnx: onnx as string, tokenizer: tokenizer as string, label: label as string };
  const nCtx = isObject(entry.architecture) ? entry.architecture.n_ctx : undefined;
  if (typeof nCtx === 'number' && Number.isInteger(nCtx) && nCtx > 0) model.maxTokens = nCtx;
  return model;
}
