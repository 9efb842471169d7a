// The settings of an attention cell, shown in the cell's status bar and changed from there with
// quick picks and input boxes: nobody has to edit metadata JSON.
import { isShippedModelName, LAYER_CHOICES } from '../../shared/shippedModels';
import * as vscode from 'vscode';
import { readSettings } from '../settings';
import { modelSettingFor } from './cellModel';
import {
  CellSettingError,
  ENGINES,
  MAX_GENERATE,
  MASKS,
  resolveSettings,
  settingsOf,
  VIEWS,
  withSetting,
  type ResolvedSettings,
} from './cellSettings';
import { NOTEBOOK_TYPE } from './serializer';

export const EDIT_SETTINGS_COMMAND = 'attentionExplorer.editCellSettings';

export class CellSettingsStatusBar implements vscode.NotebookCellStatusBarItemProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;

  /** Items change with cell metadata (VS Code asks again) and with the user's defaults. */
  register(): vscode.Disposable {
    return vscode.Disposable.from(
      this.changed,
      vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, this),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('attentionExplorer')) this.changed.fire();
      }),
      vscode.commands.registerCommand(EDIT_SETTINGS_COMMAND, (cell?: vscode.NotebookCell) => editCellSettings(cell)),
    );
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    if (cell.kind !== vscode.NotebookCellKind.Code) return [];
    let text: string;
    let tooltip: string;
    try {
      const s = resolveSettings(settingsOf(cell.metadata), readSettings());
      text = `$(settings-gear) ${describeSettings(s)}`;
      tooltip = vscode.l10n.t('Attention settings of this cell: click to change');
    } catch (e) {
      if (!(e instanceof CellSettingError)) throw e;
      text = `$(warning) ${e.message}`;
      tooltip = vscode.l10n.t('Click to fix this setting');
    }
    const item = new vscode.NotebookCellStatusBarItem(text, vscode.NotebookCellStatusBarAlignment.Left);
    item.command = { title: vscode.l10n.t('Change attention settings'), command: EDIT_SETTINGS_COMMAND, arguments: [cell] };
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `${tooltip}: ${text.replace(/^\$\([\w-]+\) /, '')}` };
    return [item];
  }
}

function describeSettings(s: ResolvedSettings): string {
  if (s.model.trim() !== '') {
    // The model brings its own heads and width; only the view still applies.
    const file = s.model.trim().replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? s.model;
    return [
      vscode.l10n.t('model {0}', file),
      s.generate === undefined ? undefined : vscode.l10n.t('generate {0}', s.generate),
      s.view === 'mean' ? vscode.l10n.t('mean of heads') : undefined,
    ].filter((p) => p !== undefined).join(' · ');
  }
  return [
    s.engine === 'core' ? undefined : s.engine,
    vscode.l10n.t('{0} heads', s.heads),
    `d_model ${s.dModel}`,
    vscode.l10n.t('seed {0}', s.seed),
    s.mask === 'causal' ? vscode.l10n.t('causal') : vscode.l10n.t('bidirectional'),
    s.scale ? vscode.l10n.t('scaled') : vscode.l10n.t('unscaled'),
    s.view === 'mean' ? vscode.l10n.t('mean of heads') : undefined,
  ]
    .filter((p) => p !== undefined)
    .join(' · ');
}

type SettingKey = 'heads' | 'dModel' | 'seed' | 'mask' | 'scale' | 'view' | 'engine' | 'model' | 'generate';

interface SettingPick extends vscode.QuickPickItem {
  key: SettingKey;
}

/** First a pick of which setting, then a pick or an input box for its value. */
export async function editCellSettings(cell: vscode.NotebookCell | undefined): Promise<void> {
  const target = cell ?? activeCell();
  if (!target || target.kind !== vscode.NotebookCellKind.Code) return;
  const raw = settingsOf(target.metadata);
  const defaults = readSettings();
  const s = resolveSettingsLeniently(raw, defaults);
  const picks: SettingPick[] = [
    { key: 'heads', label: vscode.l10n.t('Heads'), description: String(s.heads) },
    { key: 'dModel', label: 'd_model', description: String(s.dModel) },
    { key: 'seed', label: vscode.l10n.t('Seed'), description: String(s.seed) },
    { key: 'mask', label: vscode.l10n.t('Mask'), description: s.mask },
    { key: 'scale', label: vscode.l10n.t('Scale scores by 1/√d_k'), description: s.scale ? vscode.l10n.t('on') : vscode.l10n.t('off') },
    { key: 'view', label: vscode.l10n.t('View'), description: s.view },
    { key: 'engine', label: vscode.l10n.t('Engine'), description: s.engine },
    { key: 'model', label: vscode.l10n.t('ONNX model'), description: s.model.trim() === '' ? vscode.l10n.t('none: the built-in layer') : s.model },
    { key: 'generate', label: vscode.l10n.t('Generate tokens'), description: String(s.generate ?? 0) },
  ];
  const pick = await vscode.window.showQuickPick(picks, { title: vscode.l10n.t('Attention cell settings'), placeHolder: vscode.l10n.t('Which setting?') });
  if (!pick) return;
  let metadata: { [key: string]: unknown };
  if (pick.key === 'model') {
    const model = await askModel(target.notebook.uri, s.model);
    if (model === undefined) return;
    // "" is the built-in layer: the setting goes, unless attentionExplorer.layer would then give the
    // cell a shipped model; then the cell keeps "" to say it wants the built-in layer. A model runs
    // through the ONNX engine.
    const follows = readSettings().layer === 'random';
    metadata = model === ''
      ? withSetting(target.metadata, 'model', follows ? undefined : '')
      : withSetting(withSetting(target.metadata, 'model', model), 'engine', 'onnx');
  } else {
    const value = await askValue(pick.key, s);
    if (value === undefined) return;
    // No new tokens is no `generate` setting at all.
    metadata = withSetting(target.metadata, pick.key, pick.key === 'generate' && value === 0 ? undefined : value);
  }
  const edit = new vscode.WorkspaceEdit();
  edit.set(target.notebook.uri, [vscode.NotebookEdit.updateCellMetadata(target.index, metadata)]);
  await vscode.workspace.applyEdit(edit);
}

/** An .onnx file from an open dialog, "" for the built-in layer, undefined when dismissed. */
async function askModel(notebook: vscode.Uri, current: string): Promise<string | undefined> {
  const browse = { label: vscode.l10n.t('Choose an .onnx file…'), description: vscode.l10n.t('its tokenizer.json must be beside it') };
  const none = { label: vscode.l10n.t('none'), description: vscode.l10n.t('the built-in seeded attention layer') };
  const shipped = LAYER_CHOICES.filter(isShippedModelName).map((name) => ({ label: name, description: vscode.l10n.t('a small trained model shipped with the extension') }));
  const picked = await vscode.window.showQuickPick([browse, none, ...shipped], { placeHolder: current.trim() === '' ? vscode.l10n.t('none') : current });
  if (!picked) return undefined;
  if (picked === none) return '';
  if (picked !== browse) return picked.label;
  const folder = notebook.scheme === 'untitled' ? vscode.workspace.workspaceFolders?.[0]?.uri : vscode.Uri.joinPath(notebook, '..');
  const [file] =
    (await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { ONNX: ['onnx'] },
      defaultUri: folder,
      title: vscode.l10n.t('Open ONNX Model'),
    })) ?? [];
  return file ? modelSettingFor(file, notebook) : undefined;
}

function activeCell(): vscode.NotebookCell | undefined {
  const editor = vscode.window.activeNotebookEditor;
  if (!editor || editor.notebook.notebookType !== NOTEBOOK_TYPE) return undefined;
  return editor.notebook.cellAt(editor.selection.start);
}

/** The editor must open even on a bad value: each bad one falls back to its default here. */
function resolveSettingsLeniently(raw: ReturnType<typeof settingsOf>, defaults: ReturnType<typeof readSettings>): ResolvedSettings {
  const fixed = { ...raw };
  for (;;) {
    try {
      return resolveSettings(fixed, defaults);
    } catch (e) {
      if (!(e instanceof CellSettingError) || !(e.setting in fixed)) throw e;
      delete fixed[e.setting];
    }
  }
}

async function askValue(key: SettingKey, s: ResolvedSettings): Promise<string | number | boolean | undefined> {
  switch (key) {
    case 'heads':
      return askInteger(vscode.l10n.t('Number of heads (1–64); d_model must be divisible by it'), s.heads, 1, 64);
    case 'dModel':
      return askInteger(vscode.l10n.t('Embedding width d_model (1–4096)'), s.dModel, 1, 4096);
    case 'seed':
      return askInteger(vscode.l10n.t('Seed of the embeddings and weights'), s.seed, -(2 ** 31), 2 ** 32);
    case 'mask':
      return choose(MASKS, s.mask, { none: vscode.l10n.t('bidirectional: every token sees every token'), causal: vscode.l10n.t('causal: each token sees itself and earlier tokens') });
    case 'view':
      return choose(VIEWS, s.view, { heads: vscode.l10n.t('one heatmap per head'), mean: vscode.l10n.t('one heatmap, the mean of all heads') });
    case 'engine':
      return choose(ENGINES, s.engine, {
        core: vscode.l10n.t('the built-in seeded attention layer'),
        onnx: vscode.l10n.t('the same layer exported to ONNX, run by onnxruntime-web'),
      });
    case 'model':
      return undefined; // askModel
    case 'generate':
      return askInteger(vscode.l10n.t('New tokens a causal language model (the cell\'s model) generates after the text (0: none)'), s.generate ?? 0, 0, MAX_GENERATE);
    case 'scale': {
      const on = await choose(['on', 'off'] as const, s.scale ? 'on' : 'off', { on: vscode.l10n.t('divide scores by √d_k'), off: vscode.l10n.t('raw dot products') });
      return on === undefined ? undefined : on === 'on';
    }
  }
}

async function choose<T extends string>(values: readonly T[], current: T, details: Record<T, string>): Promise<T | undefined> {
  const items = values.map((v) => ({ label: v, description: details[v], picked: v === current }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: current });
  return picked?.label;
}

async function askInteger(prompt: string, current: number, min: number, max: number): Promise<number | undefined> {
  const answer = await vscode.window.showInputBox({
    prompt,
    value: String(current),
    validateInput: (v) =>
      /^-?\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max
        ? undefined
        : vscode.l10n.t('A whole number from {0} to {1}', min, max),
  });
  return answer === undefined ? undefined : Number(answer.trim());
}
