// JSON that nests deeper than anything here needs is refused before it is parsed: parsing and
// every walk over the result (serialising a cell for a message, a tokenizer's own reader) would
// otherwise recurse as deep as the text chooses, until "Maximum call stack size exceeded".

import { InputError } from './errors';

/** Deeper than this, JSON is refused: matrices nest 2 levels, tokenizer.json files about 10. */
export const MAX_JSON_DEPTH = 256;

/**
 * A linear scan of the brackets outside strings; throws an InputError ('json') naming the
 * character (1-based) where the text first nests deeper than MAX_JSON_DEPTH.
 */
export function checkJsonDepth(text: string, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new InputError('json', `${what} nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (at character ${i + 1})`);
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}
