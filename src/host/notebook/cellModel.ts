// The ONNX model a cell names in its `model` setting: an absolute path, a file URI, or a path
// relative to the notebook's folder, with the tokenizer.json that must sit beside it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelChoice } from '../onnx/modelChoice';
import { CellSettingError } from './cellSettings';

/** A scheme of two letters or more: "file:", "vscode-remote:"; "C:" is a Windows drive. */
const URI_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;

/** The model's URI; relative paths need a notebook saved in a folder (or an open workspace). */
export function resolveModelUri(model: string, notebook: vscode.Uri): vscode.Uri {
  if (URI_SCHEME.test(model)) return vscode.Uri.parse(model);
  if (path.isAbsolute(model) || path.win32.isAbsolute(model)) return vscode.Uri.file(model);
  if (notebook.scheme !== 'untitled') return vscode.Uri.joinPath(notebook, '..', model.replace(/\\/g, '/'));
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder) return vscode.Uri.joinPath(folder.uri, model.replace(/\\/g, '/'));
  throw new CellSettingError(
    'model',
    vscode.l10n.t('The model path "{0}" is relative, but this notebook is not saved in a folder yet: save it, or give an absolute path.', model),
  );
}

/** How a cell refers to a model chosen in a dialog: relative when it lies under the notebook's folder. */
export function modelSettingFor(model: vscode.Uri, notebook: vscode.Uri): string {
  if (model.scheme === 'file' && notebook.scheme === 'file') {
    const relative = path.relative(path.dirname(notebook.fsPath), model.fsPath);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) return relative.split(path.sep).join('/');
    return model.fsPath;
  }
  return model.toString();
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    // stat throws FileNotFound (or a provider's own error): either way there is nothing to read.
    return false;
  }
}

/** The model and its tokenizer.json, each checked to exist so the error names the missing one. */
export async function cellModelChoice(model: string, notebook: vscode.Uri): Promise<ModelChoice> {
  const uri = resolveModelUri(model, notebook);
  const shown = uri.scheme === 'file' ? uri.fsPath : uri.toString();
  if (!(await exists(uri))) {
    throw new CellSettingError('model', vscode.l10n.t('The model file {0} does not exist.', shown));
  }
  const tokenizer = vscode.Uri.joinPath(uri, '..', 'tokenizer.json');
  if (!(await exists(tokenizer))) {
    const where = tokenizer.scheme === 'file' ? tokenizer.fsPath : tokenizer.toString();
    throw new CellSettingError('model', vscode.l10n.t('No tokenizer.json beside the model: {0} is needed to turn the text into token ids.', where));
  }
  return { model: uri.toString(), tokenizer: tokenizer.toString() };
}
