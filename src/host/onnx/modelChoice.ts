// The ONNX model a workspace explores instead of the built-in layer, remembered per workspace.
import * as vscode from 'vscode';

export interface ModelChoice {
  model: string; // URI of the .onnx file
  tokenizer: string; // URI of its tokenizer.json
  /** How the panel names it; default the file name. A shipped model says what it is and what it learned from. */
  label?: string;
  /** The most tokens it reads, when known (a shipped model's n_ctx). */
  maxTokens?: number;
}

const KEY = 'attentionExplorer.model';

export function readModelChoice(state: vscode.Memento): ModelChoice | undefined {
  const v = state.get<unknown>(KEY);
  if (typeof v !== 'object' || v === null) return undefined;
  const { model, tokenizer } = v as Record<string, unknown>;
  return typeof model === 'string' && typeof tokenizer === 'string' ? { model, tokenizer } : undefined;
}

export function saveModelChoice(state: vscode.Memento, choice: ModelChoice | undefined): Thenable<void> {
  return state.update(KEY, choice);
}

export function modelLabel(choice: ModelChoice): string {
  return choice.label ?? vscode.Uri.parse(choice.model).path.split('/').pop() ?? choice.model;
}
