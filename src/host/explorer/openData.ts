// Attention: Open Attention Data — the explorer panel on weights read from a file instead of
// computed from a selection: the explorer's JSON export, the JSON of `run --model` or of a
// notebook output, or an .npy with its tokens beside it. The file is read and checked before the
// panel opens, so a file that cannot be shown leaves whatever the panel shows as it was.
import * as vscode from 'vscode';
import { AttentionFileError, readAttentionFile, type AttentionFile, type AttentionFileKind, type TokensText } from '../../shared/attentionFile';
import { npyTokensFile } from '../../shared/npy';
import type { RenderedMessage, SequencePayload } from '../../shared/protocol';
import { AttentionPanel } from '../panel';
import { readSettings } from '../settings';

/** What the command ended with; returned so that scripts and tests can see it. */
export type OpenDataOutcome =
  | {
      status: 'shown';
      panelCreated: boolean;
      rendered: RenderedMessage | undefined;
      kind: AttentionFileKind;
      layers: number;
      heads: number;
      n: number;
    }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string };

export interface OpenDataOptions {
  /** A reload reading its file again: no dialog, no notification (the caller says what failed). */
  quiet?: boolean;
  /** The panel to show it in; default the open one, or a new one. */
  panel?: AttentionPanel;
}

/**
 * `arg` is what invoked the command: the clicked file from the Explorer's context menu (a Uri),
 * a Uri or a path or URI string, or `{ uri }`; without one, an open dialog asks.
 */
export async function openData(extensionUri: vscode.Uri, arg?: unknown, options: OpenDataOptions = {}): Promise<OpenDataOutcome> {
  const uri = uriOf(arg) ?? (options.quiet ? undefined : await chooseFile());
  if (!uri) return { status: 'cancelled' };
  const name = fileName(uri);
  let file: AttentionFile;
  try {
    file = await readFile(uri, name);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!options.quiet) void vscode.window.showErrorMessage(vscode.l10n.t('Could not open {0}: {1}', name, message));
    return { status: 'failed', message };
  }

  const sequence: SequencePayload = {
    label: file.title ?? name,
    tokens: file.tokens,
    offsets: new Int32Array(file.n * 2).fill(-1), // [N][2]: no text they came from
    special: file.special,
    layers: file.layers,
    heads: file.heads,
    ...(file.kvHeads ? { kvHeads: file.kvHeads } : {}),
    n: file.n,
    weights: file.weights, // [L][H][N][N]
    steps: false,
    file: name,
  };
  const { panel, created } = options.panel ? { panel: options.panel, created: false } : AttentionPanel.showOrCreate(extensionUri);
  panel.run = { sources: [], settings: readSettings(), payloads: [sequence], runs: [], file: uri };
  const rendered = await panel.show({
    sequences: [sequence],
    settings: { heads: file.heads, dModel: 0, seed: 0, mask: 'none', engine: name },
    elapsedMs: 0,
    record: { sources: [], file: uri.toString() },
  });
  return { status: 'shown', panelCreated: created, rendered, kind: file.kind, layers: file.layers, heads: file.heads, n: file.n };
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return /^[a-z][a-z0-9+.-]+:/i.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (typeof arg === 'object' && arg !== null && 'uri' in arg) return uriOf(arg.uri);
  return undefined;
}

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

async function chooseFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { [vscode.l10n.t('Attention data')]: ['json', 'npy'], JSON: ['json'], [vscode.l10n.t('NumPy array')]: ['npy'] },
    openLabel: vscode.l10n.t('Open'),
    title: vscode.l10n.t('Open Attention Data'),
  });
  return picked?.[0];
}

/** The file's bytes, and for an .npy its tokens file when there is one, read and checked. */
async function readFile(uri: vscode.Uri, name: string): Promise<AttentionFile> {
  // Everything read is held in memory while shown: the memory setting bounds it, as it bounds a run.
  const { size } = await vscode.workspace.fs.stat(uri);
  const limitMb = readSettings().maxMemoryMegabytes;
  if (size > limitMb * 2 ** 20) {
    throw new AttentionFileError(vscode.l10n.t(
      'it is {0} MB, more than the limit of {1} MB; the setting attentionExplorer.maxMemoryMegabytes allows more',
      (size / 2 ** 20).toFixed(1), limitMb,
    ));
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  const tokens = /\.npy$/i.test(name) ? await tokensBeside(uri) : undefined;
  return readAttentionFile(name, bytes, tokens);
}

/** NAME.tokens.json beside NAME.npy; none when there is no such file. */
async function tokensBeside(npy: vscode.Uri): Promise<TokensText | undefined> {
  const uri = npy.with({ path: npyTokensFile(npy.path) });
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return { name: fileName(uri), text: new TextDecoder().decode(bytes) };
  } catch (e) {
    if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return undefined;
    throw e;
  }
}
