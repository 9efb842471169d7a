// Brings the panel back after a window reload. The webview saved its view and where its text came
// from (vscode.setState); the weights are recomputed from those ranges, which is cheaper than
// saving megabytes of weights in the state. Weights read from a file are read from it again.
//
// VS Code asks for a restored panel by the activation event onWebviewPanel:attentionExplorer.panel,
// which it does not derive from anything in the manifest (only commands, views, custom editors …
// imply events), and the manifest lists no activation events. So a restored panel waits until
// the extension activates for another reason (any Attention command, an attention notebook);
// VS Code keeps it and calls this serializer then.
import * as vscode from 'vscode';
import { isRunRecord, type RunRecord } from '../../shared/protocol';
import type { Engines } from '../onnx/engines';
import { exploreSources } from '../exploreCommand';
import { AttentionPanel } from '../panel';
import { readRanges, type SourceSequence } from '../selection';
import { openData } from './openData';

async function sourcesOf(record: RunRecord): Promise<SourceSequence[]> {
  const sources: SourceSequence[] = [];
  for (const s of record.sources) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(s.uri));
    const [sl, sc, el, ec] = s.range;
    const read = readRanges(doc, [new vscode.Range(sl, sc, el, ec)], [s.label]);
    if (read.kind === 'ok') sources.push(...read.sequences);
  }
  return sources;
}

export class ExplorerSerializer implements vscode.WebviewPanelSerializer {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engines: Engines,
  ) {}

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const panel = AttentionPanel.revive(webviewPanel, this.extensionUri);
    const record = (state as { run?: unknown } | undefined)?.run;
    if (!isRunRecord(record)) return;
    if (record.file !== undefined) {
      // A file moved or changed since: the panel stays, empty, and says which file and why.
      const opened = await openData(this.extensionUri, record.file, { quiet: true, panel });
      if (opened.status === 'failed') {
        void vscode.window.showWarningMessage(vscode.l10n.t('The attention panel could not re-read {0}: {1}', record.file, opened.message));
      }
      return;
    }
    if (record.sources.length === 0) return;
    try {
      const sources = await sourcesOf(record);
      if (sources.length) await exploreSources(this.extensionUri, this.engines, sources, { quiet: true, panel });
    } catch (e) {
      // A file that was deleted or moved since: the panel stays, empty, and says how to fill it.
      const detail = e instanceof Error ? e.message : String(e);
      void vscode.window.showWarningMessage(vscode.l10n.t('The attention panel could not re-read its text: {0}', detail));
    }
  }
}
