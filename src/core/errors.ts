// Errors the core raises for bad input. Callers branch on `code`, never on the message text,
// which is written for people and may change.

export type InputErrorCode =
  | 'empty' // nothing to compute on: no rows, no tokens
  | 'ragged' // a row has a different length from the first row
  | 'not-a-number' // a cell is not a number at all
  | 'non-finite' // a cell is NaN or ±Infinity
  | 'shape' // an array has the wrong length or dimensions
  | 'heads' // d_model is not divisible by the number of heads, or heads < 1
  | 'mask' // unknown mask kind, or a padding mask without a usable keyPadding
  | 'option' // an option outside its allowed range
  | 'json' // text that should be JSON is not (or nests too deeply to read safely)
  | 'encoding' // text that should be UTF-8 is not
  | 'too-large' // a run that would need more memory than allowed
  | 'overflow' // a query's scores or output leave float32's range
  | 'tokenizer' // a tokenizer.json that cannot be loaded or used
  | 'model'; // an ONNX model that cannot give attention (corrupt, fused, unfillable inputs)

export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    readonly code: InputErrorCode,
    message: string,
    /** 1-based position of the offending cell, when there is one. */
    readonly row?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
