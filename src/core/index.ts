// The public face of the attention core. The extension host, the webview, the command line and
// the benchmarks import from here and nowhere deeper.

export type {
  AttentionOptions, AttentionResult, HeadSteps, LayerWeights, MaskKind, Token, WeightInit,
} from './types';
export { InputError, isInputError, type InputErrorCode } from './errors';
export { tokenizeText } from './tokenize';
export { embedTokens, positionEncodings, type EmbedOptions } from './embed';
export { checkJsonDepth, MAX_JSON_DEPTH } from './jsonDepth';
export { parseMatrix, matrixFromRows, vectorFromArray, type NumericMatrix } from './matrix';
export { makeWeights, identityWeights, weightsFromJson, checkWeights, type WeightOptions } from './weights';
export { multiHeadAttention, headSteps, headStepsFromQkv } from './attention';
export {
  blockwiseAttention, DEFAULT_BLOCK, headTile, joinRows, weightsRows, type BlockwiseLayer, type BlockwiseOptions,
} from './blockwise';
export { filterRow, poolWindow, rowFiltersActive, TileAccumulator, type RowFilters } from './pooling';
export { blockOf, blockStart, clipWindow, fullWindow, type Tile, type Window } from './tiles';
export {
  appliedSpec, buildLayer, inputOf, inputTokens, layerSpec, layerWeights, looksLikeMatrix, layerSteps, runLayer, type BuiltLayer, type LayerInput, type LayerSpec,
} from './layer';
export { loadTokenizerJson, type TextTokenizer } from './hfTokenizer';
export { hashString, mulberry32 } from './random';
export { multiLayerAttention, type StackOptions } from './layers';
export {
  analyzeAttention, attentionRollout, headSpread, laterKeyWeight, residualAverage, rowEntropy, topKeys,
  type AnalysisOptions, type AttentionAnalysis, type TopKeys,
} from './analysis';
export {
  checkRunMemory, DEFAULT_MAX_MEMORY, estimateKeptBytes, estimateRunBytes, formatBytes, largestRunArray, MAX_ARRAY_VALUES, parseByteSize, type RunSize,
} from './memory';
export { checkAttentionOutcome } from './outcome';
export { checkAttentionInputs, type AttentionPlan } from './validate';
export { setKernel, activeKernel, type KernelKind } from './kernels';
