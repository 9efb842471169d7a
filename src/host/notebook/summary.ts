// The text/markdown twin of an attention output: the tokens each head attends to most, readable
// wherever the notebook is shown (GitHub, a diff, a VS Code without this extension).
import * as vscode from 'vscode';
import { topKeys, type AttentionData } from '../../shared/notebookOutput';
import type { ResolvedSettings } from './cellSettings';

const TOP = 3;

/** Table cells must not break the table: pipes, backticks and line breaks are escaped. */
function cellText(token: string): string {
  return token.replace(/[\\|`*_[\]<>]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

export function runLine(data: AttentionData, settings: ResolvedSettings, matrix: boolean): string {
  const parts = [
    vscode.l10n.t('{0} tokens', data.n),
    vscode.l10n.t('{0} heads', data.heads),
    matrix ? vscode.l10n.t('matrix input, d_model {0}', settings.dModel) : `d_model ${settings.dModel}`,
    settings.mask === 'causal' ? vscode.l10n.t('causal mask') : vscode.l10n.t('bidirectional'),
    settings.scale ? vscode.l10n.t('scaled by 1/√d_k') : vscode.l10n.t('unscaled'),
    vscode.l10n.t('seed {0}', settings.seed),
    `${data.elapsedMs.toFixed(1)} ms`,
  ];
  return parts.join(' · ');
}

export function summaryMarkdown(data: AttentionData, settings: ResolvedSettings, matrix: boolean): string {
  const lines = [
    `**${vscode.l10n.t('Most attended tokens per head')}** — ${runLine(data, settings, matrix)}`,
    '',
    `| ${vscode.l10n.t('Head')} | ${Array.from({ length: Math.min(TOP, data.n) }, (_, i) => `#${i + 1}`).join(' | ')} |`,
    `|---|${'---|'.repeat(Math.min(TOP, data.n))}`,
  ];
  for (let h = 0; h < data.heads; h++) {
    const top = topKeys(data, h, TOP).map(({ key, weight }) => `${cellText(data.tokens[key])} ${weight.toFixed(3)}`);
    lines.push(`| ${h + 1} | ${top.join(' | ')} |`);
  }
  lines.push('', vscode.l10n.t('Each number is the mean weight that key receives over all queries.'));
  return `${lines.join('\n')}\n`;
}
