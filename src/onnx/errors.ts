// Typed errors for everything that can be wrong with a model the user brings. Callers tell them
// apart by `code` (or instanceof), never by message text; messages are written for the user.

export type OnnxErrorCode =
  | 'decode'
  | 'fusedAttention'
  | 'noAttention'
  | 'missingInput'
  | 'inputShape'
  | 'externalData'
  | 'runtime'
  | 'cancelled';

export abstract class OnnxError extends Error {
  abstract readonly code: OnnxErrorCode;
}

/** The bytes are not an ONNX model (corrupt, truncated, or another format). */
export class OnnxDecodeError extends OnnxError {
  readonly code = 'decode';
  override readonly name = 'OnnxDecodeError';
}

/** Attention is computed by a fused operator, so there is no softmax output to read. */
export class FusedAttentionError extends OnnxError {
  readonly code = 'fusedAttention';
  override readonly name = 'FusedAttentionError';
  constructor(
    /** The fused operators found, e.g. ['com.microsoft.Attention']; 'If' for merged decoders. */
    readonly operators: string[],
    /** What to export instead, in a sentence. */
    readonly remedy: string,
  ) {
    super(`the model computes attention inside fused operators (${operators.join(', ')}), so the attention weights cannot be read: ${remedy}`);
  }
}

/** No Softmax in the graph looks like attention. */
export class NoAttentionError extends OnnxError {
  readonly code = 'noAttention';
  override readonly name = 'NoAttentionError';
}

/** The model needs an input that cannot be filled from token ids. */
export class MissingInputError extends OnnxError {
  readonly code = 'missingInput';
  override readonly name = 'MissingInputError';
  constructor(readonly inputs: string[]) {
    super(`the model needs input${inputs.length > 1 ? 's' : ''} ${inputs.map((i) => `"${i}"`).join(', ')}, which cannot be filled from token ids; export the model without it (for decoders: without past key values)`);
  }
}

/** An input cannot take the tokens given: fixed sequence length, odd rank or element type. */
export class InputShapeError extends OnnxError {
  readonly code = 'inputShape';
  override readonly name = 'InputShapeError';
}

/** Weights live in external files next to the model, which a byte buffer cannot reach. */
export class ExternalDataError extends OnnxError {
  readonly code = 'externalData';
  override readonly name = 'ExternalDataError';
}

/** onnxruntime rejected the model or failed while running it. */
export class OnnxRuntimeError extends OnnxError {
  readonly code = 'runtime';
  override readonly name = 'OnnxRuntimeError';
}

/** The run was cancelled before it finished. */
export class OnnxCancelledError extends OnnxError {
  readonly code = 'cancelled';
  override readonly name = 'OnnxCancelledError';
}
