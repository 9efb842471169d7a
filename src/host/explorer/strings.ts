// The explorer webview's string table, localized in the host (the webview cannot call vscode.l10n).
import * as vscode from 'vscode';
import type { StepTexts, WebviewStrings } from '../../shared/protocol';

function stepNames(): StepTexts {
  return {
    qkv: vscode.l10n.t('1. Queries, keys and values'),
    scores: vscode.l10n.t('2. Scores'),
    scaled: vscode.l10n.t('3. Scaled scores'),
    masked: vscode.l10n.t('4. Mask'),
    softmax: vscode.l10n.t('5. Softmax'),
    weighted: vscode.l10n.t('6. Weighted values'),
    output: vscode.l10n.t('7. Output'),
  };
}

function stepExplanations(): StepTexts {
  return {
    qkv: vscode.l10n.t('Each token\'s embedding is multiplied by the matrices Wq, Wk and Wv. This head keeps its own d_head columns of each: a subspace of its own, so different heads can learn different relations.'),
    scores: vscode.l10n.t('Every query is compared with every key by a dot product q·k: N × N numbers, which is why attention costs O(N²).'),
    scaled: vscode.l10n.t('The scores are divided by √d_k. Without it, long vectors give large dot products and the softmax becomes nearly one-hot; switch scaling off to see the weights sharpen.'),
    masked: vscode.l10n.t('A causal mask sets the scores of later tokens to −∞, so each token sees only itself and the tokens before it. Without a mask every token sees every token.'),
    softmax: vscode.l10n.t('Softmax turns each row of scores into weights that are positive and sum to 1: how much each query takes from each key.'),
    weighted: vscode.l10n.t('Each query\'s output is the weighted sum of the value vectors, mixed by its row of weights.'),
    output: vscode.l10n.t('The outputs of all heads are joined side by side (concatenated) and multiplied by Wo, giving one d_model vector per token for the next layer.'),
  };
}

export function webviewStrings(): WebviewStrings {
  return {
    head: vscode.l10n.t('Head'),
    layer: vscode.l10n.t('Layer'),
    query: vscode.l10n.t('Query'),
    key: vscode.l10n.t('Key'),
    weight: vscode.l10n.t('Weight'),
    noData: vscode.l10n.t('Select text in an editor and run "Attention: Explore Selection".'),
    tokens: vscode.l10n.t('tokens'),
    heatmapLabel: vscode.l10n.t('Attention weights of head {0}: queries down, keys across'),
    view: vscode.l10n.t('View'),
    viewHeatmaps: vscode.l10n.t('Heatmaps'),
    viewModel: vscode.l10n.t('Model'),
    viewLines: vscode.l10n.t('Lines'),
    viewSteps: vscode.l10n.t('Step by step'),
    viewCompare: vscode.l10n.t('Compare'),
    sequence: vscode.l10n.t('Sequence'),
    allHeads: vscode.l10n.t('All heads'),
    aggregate: vscode.l10n.t('Across heads'),
    aggregateNone: vscode.l10n.t('each head'),
    aggregateMean: vscode.l10n.t('mean'),
    aggregateMax: vscode.l10n.t('maximum'),
    threshold: vscode.l10n.t('Hide weights below'),
    topK: vscode.l10n.t('Top keys per query (0 = all)'),
    hideSpecial: vscode.l10n.t('Hide special tokens'),
    rollout: vscode.l10n.t('Rollout across layers'),
    rolloutNeedsLayers: vscode.l10n.t('Rollout needs a model with more than one layer.'),
    sortBy: vscode.l10n.t('Order heads by'),
    sortLayerOrder: vscode.l10n.t('head number'),
    entropy: vscode.l10n.t('entropy'),
    sparsity: vscode.l10n.t('sparsity'),
    maxWeight: vscode.l10n.t('largest weight'),
    thumbLabel: vscode.l10n.t('Layer {0}, head {1}: open large'),
    modelHint: vscode.l10n.t('Every head of every layer. Choose one to open it large.'),
    linesHint: vscode.l10n.t('Queries on the left, keys on the right; a line is as opaque as its weight. Point at a token to see only its lines.'),
    linesTooMany: vscode.l10n.t('{0} tokens are too many to draw as lines (at most {1}). Use the heatmaps, or hide tokens.'),
    headToggle: vscode.l10n.t('Show or hide heads'),
    legendLabel: vscode.l10n.t('Weight'),
    fetching: vscode.l10n.t('Fetching the weights of the heads shown…'),
    computing: vscode.l10n.t('Computing attention…'),
    zoomIn: vscode.l10n.t('Zoom in'),
    zoomOut: vscode.l10n.t('Zoom out'),
    zoomFit: vscode.l10n.t('Show the whole matrix'),
    minimap: vscode.l10n.t('Overview of the whole matrix: press or drag to move the view'),
    zoomWindow: vscode.l10n.t('queries {0}–{1} × keys {2}–{3}'),
    max: vscode.l10n.t('max'),
    runInfo: vscode.l10n.t('engine {0} · d_model {1} · heads {2} · mask {3} · seed {4} · {5} ms'),
    difference: vscode.l10n.t('Difference'),
    compareA: vscode.l10n.t('A'),
    compareB: vscode.l10n.t('B'),
    compareNeedsSameLength: vscode.l10n.t('A has {0} tokens and B has {1}: a difference needs the same number of tokens.'),
    compareTooLong: vscode.l10n.t('{0} tokens: Compare shows every weight of two heads, up to {1} tokens. Zoom into the heatmaps instead.'),
    meanOfHeads: vscode.l10n.t('mean of the heads'),
    maxOfHeads: vscode.l10n.t('maximum of the heads'),
    stepsTitle: vscode.l10n.t('Head {0} of {1}, step by step'),
    stepsScale: vscode.l10n.t('Scale by 1/√d_k'),
    stepsCausal: vscode.l10n.t('Causal mask'),
    stepsUnavailable: vscode.l10n.t('Step by step is available for the built-in attention layer only.'),
    stepsTooLong: vscode.l10n.t('{0} tokens are too many to go through step by step (at most {1}).'),
    stepsLoading: vscode.l10n.t('Computing the steps…'),
    stepNames: stepNames(),
    stepExplanations: stepExplanations(),
    cost: vscode.l10n.t('{0} tokens: {1} query–key pairs per head. The cost grows as O(N²).'),
  };
}
