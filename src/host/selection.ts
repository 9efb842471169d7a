// Turns the editor's selections into the sequences to explore.
import * as vscode from 'vscode';

export interface SourceSequence {
  /** The text to tokenize. */
  text: string;
  /** Where the text sits in the document, so the UI can point back into the editor. */
  range: vscode.Range;
  /** The document the text comes from. */
  uri: vscode.Uri;
  label: string;
}

export type SelectionRead =
  | { kind: 'ok'; sequences: SourceSequence[] }
  | { kind: 'empty' };

/**
 * One sequence per non-empty selection, in document order. A collapsed selection (a cursor)
 * stands for its whole line, which is what a person means by "explore this" without selecting.
 */
export function readSelections(editor: vscode.TextEditor): SelectionRead {
  return readRanges(editor.document, editor.selections);
}

/** The same for any ranges of a document (a reloaded panel re-reads the ranges it showed). */
export function readRanges(doc: vscode.TextDocument, ranges: readonly vscode.Range[], labels?: readonly string[]): SelectionRead {
  const ordered = [...ranges].sort((a, b) => a.start.compareTo(b.start));
  const sequences: SourceSequence[] = [];
  const seen = new Set<string>();
  for (const sel of ordered) {
    const valid = doc.validateRange(new vscode.Range(sel.start, sel.end));
    const range = valid.isEmpty ? doc.lineAt(valid.start.line).range : valid;
    const key = `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
    // Several cursors on one line would otherwise give the same sequence twice.
    if (seen.has(key)) continue;
    seen.add(key);
    const text = doc.getText(range);
    if (text.trim().length === 0) continue;
    const line = range.start.line + 1;
    sequences.push({
      text,
      range,
      uri: doc.uri,
      label:
        labels?.[ranges.indexOf(sel)] ??
        (range.start.line === range.end.line
          ? vscode.l10n.t('Line {0}', line)
          : vscode.l10n.t('Lines {0}–{1}', line, range.end.line + 1)),
    });
  }
  return sequences.length ? { kind: 'ok', sequences } : { kind: 'empty' };
}
