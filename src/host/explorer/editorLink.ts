// The way from the panel back into the editor: a clicked token selects its text in the document
// it came from; and, when attentionExplorer.followSelection is on, moving the selection in an
// editor runs the explorer again after a short pause.
import * as vscode from 'vscode';
import type { SourceSequence } from '../selection';

/** The selection this extension made last, so following the selection does not answer itself. */
let ownSelection: { uri: string; range: vscode.Range } | undefined;

/** Ranges in the document of the given tokens (offsets are [N][2] into the source's text). */
export function tokenRanges(doc: vscode.TextDocument, source: SourceSequence, offsets: Int32Array, tokens: number[]): vscode.Range[] {
  const base = doc.offsetAt(source.range.start);
  const ranges: vscode.Range[] = [];
  for (const t of tokens) {
    const start = offsets[t * 2];
    const end = offsets[t * 2 + 1];
    if (!(start >= 0 && end >= start)) continue;
    ranges.push(new vscode.Range(doc.positionAt(base + start), doc.positionAt(base + end)));
  }
  return ranges;
}

/** Selects the tokens' text in the editor that shows the source (opening it if needed). */
export async function revealTokens(source: SourceSequence, offsets: Int32Array, tokens: number[]): Promise<vscode.Range[]> {
  const doc = await vscode.workspace.openTextDocument(source.uri);
  const ranges = tokenRanges(doc, source, offsets, tokens);
  if (ranges.length === 0) return ranges;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString());
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
    preserveFocus: true,
    preview: false,
  });
  ownSelection = { uri: doc.uri.toString(), range: ranges[0] };
  editor.selections = ranges.map((r) => new vscode.Selection(r.start, r.end));
  editor.revealRange(ranges[0], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return ranges;
}

/** Re-runs `rerun` after the selection rests for `delayMs`, while the setting is on. */
export function followSelection(rerun: (editor: vscode.TextEditor) => unknown, isPanelOpen: () => boolean, delayMs = 400): vscode.Disposable {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listener = vscode.window.onDidChangeTextEditorSelection((e) => {
    if (!vscode.workspace.getConfiguration('attentionExplorer').get<boolean>('followSelection', false)) return;
    if (!isPanelOpen() || e.textEditor.document.uri.scheme === 'output') return;
    const own = ownSelection;
    if (own && own.uri === e.textEditor.document.uri.toString() && e.selections[0]?.isEqual(own.range)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (vscode.window.activeTextEditor === e.textEditor || vscode.window.visibleTextEditors.includes(e.textEditor)) rerun(e.textEditor);
    }, delayMs);
  });
  return { dispose: () => (clearTimeout(timer), listener.dispose()) };
}
