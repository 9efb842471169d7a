// The text/markdown twin of an attention output: the tokens each head attends to most, readable
// wherever the notebook is shown (GitHub, a diff, a VS Code without this extension). An output of
// several layers (an ONNX model) gets one row per layer and head.
import * as vscode from 'vscode';
import { layerOf, topKeys, type AttentionData } from '../../shared/notebookOutput';
import type { ResolvedSettings } from './cellSettings';

const TOP = 3;

/** Table cells must not break the table: pipes, backticks and line breaks are escaped. */
function cellText(token: string): string {
  return token.replace(/[\\|`*_[\]<>]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

/** `backend`: what ran, when it was not the core ("onnx-wasm · 2 threads", "model.onnx · onnx-wasm"). */
export function runLine(data: AttentionData, settings: ResolvedSettings, matrix: boolean, backend?: string): string {
  if (settings.model.trim() !== '') {
    // A model's own tokenizer, layers and heads: the built-in layer's settings do not apply.
    return [
      vscode.l10n.t('{0} tokens', data.n),
      vscode.l10n.t('{0} layers', data.layers),
      vscode.l10n.t('{0} heads', data.heads),
      backend ?? settings.model,
      `${data.elapsedMs.toFixed(1)} ms`,
    ].join(' · ');
  }
  const parts = [
    vscode.l10n.t('{0} tokens', data.n),
    vscode.l10n.t('{0} heads', data.heads),
    matrix ? vscode.l10n.t('matrix input, d_model {0}', settings.dModel) : `d_model ${settings.dModel}`,
    settings.mask === 'causal' ? vscode.l10n.t('causal mask') : vscode.l10n.t('bidirectional'),
    settings.scale ? vscode.l10n.t('scaled by 1/√d_k') : vscode.l10n.t('unscaled'),
    vscode.l10n.t('seed {0}', settings.seed),
    ...(backend === undefined ? [] : [backend]),
    `${data.elapsedMs.toFixed(1)} ms`,
  ];
  return parts.join(' · ');
}

export function summaryMarkdown(data: AttentionData, settings: ResolvedSettings, matrix: boolean, backend?: string): string {
  const layered = data.layers > 1;
  const columns = Array.from({ length: Math.min(TOP, data.n) }, (_, i) => `#${i + 1}`).join(' | ');
  const lines = [
    `**${vscode.l10n.t('Most attended tokens per head')}** — ${runLine(data, settings, matrix, backend)}`,
    '',
    layered ? `| ${vscode.l10n.t('Layer')} | ${vscode.l10n.t('Head')} | ${columns} |` : `| ${vscode.l10n.t('Head')} | ${columns} |`,
    `|---|${layered ? '---|' : ''}${'---|'.repeat(Math.min(TOP, data.n))}`,
  ];
  for (let l = 0; l < data.layers; l++) {
    const layer = layerOf(data, l);
    for (let h = 0; h < data.heads; h++) {
      const top = topKeys(layer, h, TOP).map(({ key, weight }) => `${cellText(data.tokens[key])} ${weight.toFixed(3)}`);
      lines.push(layered ? `| ${l + 1} | ${h + 1} | ${top.join(' | ')} |` : `| ${h + 1} | ${top.join(' | ')} |`);
    }
  }
  lines.push('', vscode.l10n.t('Each number is the mean weight that key receives over all queries.'));
  if (data.generated !== undefined) {
    const first = data.n - data.generated;
    const marked = data.tokens.map((t, i) => (i >= first ? `**${cellText(t)}**` : cellText(t))).join(' ');
    lines.push('', `${vscode.l10n.t('The model generated the last {0} of these {1} tokens (marked):', data.generated, data.n)} ${marked}`);
  }
  return `${lines.join('\n')}\n`;
}
