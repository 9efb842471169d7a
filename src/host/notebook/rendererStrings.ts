// Answers the notebook renderer's request for its localized labels.
import * as vscode from 'vscode';
import { isFromRenderer, RENDERER_ID, type RendererStrings, type ToRenderer } from '../../shared/notebookOutput';
import { webviewStrings } from '../explorer/strings';

/** The labels the renderer shares with the explorer panel come from the panel's table. */
function rendererStrings(): RendererStrings {
  const { head, layer, query, key, weight, max, heatmapLabel, allHeads, viewModel, thumbLabel, kvHead } = webviewStrings();
  return {
    head,
    layer,
    query,
    key,
    weight,
    max,
    heatmapLabel,
    allHeads,
    model: viewModel,
    thumbLabel,
    kvHead,
    meanOfHeads: vscode.l10n.t('Mean of {0} heads'),
    maxOfHeads: vscode.l10n.t('Maximum of {0} heads'),
    show: vscode.l10n.t('Show'),
    meanHeatmapLabel: vscode.l10n.t('Attention weights averaged over {0} heads: queries down, keys across'),
    maxHeatmapLabel: vscode.l10n.t('Largest attention weight of {0} heads: queries down, keys across'),
    topKNote: vscode.l10n.t('The weights were larger than the size limit, so only the {0} largest of each row were kept; the others show as 0.'),
    invalidOutput: vscode.l10n.t('This attention output cannot be shown: {0}'),
    generatedNote: vscode.l10n.t('The model generated the last {0} of these {1} tokens (marked):'),
  };
}

export function registerRendererStrings(): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  return messaging.onDidReceiveMessage((e) => {
    // The renderer runs beside untrusted output: answer only the one request it may make.
    if (!isFromRenderer(e.message)) return;
    const reply: ToRenderer = { type: 'strings', strings: rendererStrings() };
    void messaging.postMessage(reply, e.editor);
  });
}
