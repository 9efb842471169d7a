// Attention: Export View — the current view as PNG or SVG, the weights as CSV, JSON or NPY, or a
// standalone HTML copy of the explorer. Asks where to save unless given { format, uri }.
import * as vscode from 'vscode';
import { writeFileAtomically } from '../files';
import type { ExportReplyMessage } from '../../shared/protocol';
import { AttentionPanel } from '../panel';
import { csvOfSequence, jsonOfSequence, npyOfSequence } from './formats';
import { standaloneHtml } from './standaloneHtml';
import { webviewStrings } from './strings';

export const EXPORT_FORMATS = ['png', 'svg', 'csv', 'json', 'npy', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportArgs {
  format?: ExportFormat;
  uri?: vscode.Uri | string;
}

export type ExportOutcome =
  | { status: 'written'; format: ExportFormat; uri: string; bytes: number }
  | { status: 'noPanel' | 'cancelled' | 'failed'; message?: string };

function formatLabels(): Record<ExportFormat, string> {
  return {
    png: vscode.l10n.t('PNG image of the view'),
    svg: vscode.l10n.t('SVG image of the view'),
    csv: vscode.l10n.t('CSV of the weights'),
    json: vscode.l10n.t('JSON of the weights'),
    npy: vscode.l10n.t('NumPy array of the weights (.npy)'),
    html: vscode.l10n.t('Standalone HTML page (works offline)'),
  };
}

async function chooseFormat(): Promise<ExportFormat | undefined> {
  const labels = formatLabels();
  const pick = await vscode.window.showQuickPick(
    EXPORT_FORMATS.map((f) => ({ label: labels[f], description: `.${f}`, format: f })),
    { placeHolder: vscode.l10n.t('Export the attention view as') },
  );
  return pick?.format;
}

async function chooseTarget(format: ExportFormat, panel: AttentionPanel): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `attention.${format}`;
  return vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    filters: { [formatLabels()[format]]: [format] },
    title: vscode.l10n.t('Export {0}', panel.webviewPanel.title),
  });
}

function pictureBytes(format: 'png' | 'svg', reply: ExportReplyMessage): Uint8Array {
  const data = reply.data ?? '';
  if (format === 'svg') return new TextEncoder().encode(data);
  const prefix = 'data:image/png;base64,';
  if (!data.startsWith(prefix)) throw new Error(vscode.l10n.t('The view did not produce a PNG image.'));
  return new Uint8Array(Buffer.from(data.slice(prefix.length), 'base64'));
}

async function contents(format: ExportFormat, panel: AttentionPanel, extensionUri: vscode.Uri): Promise<Uint8Array> {
  const run = panel.run;
  if (!run) throw new Error(vscode.l10n.t('Nothing is shown yet: run Explore Selection first.'));
  const reply = await panel.requestExport(format === 'png' || format === 'svg' ? format : 'state');
  if (reply.error) throw new Error(reply.error);
  if (format === 'png' || format === 'svg') return pictureBytes(format, reply);
  const seq = run.payloads[reply.sequence] ?? run.payloads[0];
  // Weights computed blockwise are never whole anywhere: a file of them would be gigabytes.
  if (run.payloads.some((p) => p.weights.length === 0)) {
    throw new Error(vscode.l10n.t('{0} tokens are too many to write every weight ({1} GB); export the view as PNG or SVG.', seq.n, ((seq.layers * seq.heads * seq.n * seq.n * 4) / 2 ** 30).toFixed(1)));
  }
  const text = (s: string) => new TextEncoder().encode(s);
  switch (format) {
    case 'npy':
      return npyOfSequence(seq);
    case 'csv':
      return text(csvOfSequence(seq));
    case 'json':
      return text(jsonOfSequence(seq));
    case 'html': {
      const read = async (...parts: string[]) =>
        new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...parts)));
      return text(
        standaloneHtml({
          title: `${vscode.l10n.t('Attention')} · ${run.payloads.map((p) => p.label).join(', ')}`,
          lang: vscode.env.language,
          sequences: run.payloads,
          settings: { heads: run.settings.heads, dModel: run.settings.dModel, seed: run.settings.seed, mask: run.settings.mask, engine: 'core' },
          elapsedMs: 0,
          strings: { ...webviewStrings(), stepsUnavailable: vscode.l10n.t('Step by step recomputes the head in VS Code; this copy shows the weights it carries.') },
          viewState: reply.data ?? '{}',
          theme: reply.theme ?? { variables: '', bodyClass: 'vscode-light' },
          script: await read('dist', 'webview.js'),
          css: await read('media', 'panel.css'),
        }),
      );
    }
  }
}

export async function exportView(extensionUri: vscode.Uri, args: ExportArgs = {}): Promise<ExportOutcome> {
  const panel = AttentionPanel.open;
  if (!panel?.run) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to export: run Explore Selection first.'));
    return { status: 'noPanel' };
  }
  const format = args.format ?? (await chooseFormat());
  if (!format || !EXPORT_FORMATS.includes(format)) return { status: 'cancelled' };
  const target = typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri ?? (await chooseTarget(format, panel));
  if (!target) return { status: 'cancelled' };
  try {
    const bytes = await contents(format, panel, extensionUri);
    await writeFileAtomically(target, bytes);
    if (!args.uri) void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0}', target.fsPath || target.toString()));
    return { status: 'written', format, uri: target.toString(), bytes: bytes.length };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not export the attention view: {0}', message));
    return { status: 'failed', message };
  }
}
