// Splitting text into tokens with no vocabulary: one token per character for scripts written
// without spaces between words (Chinese, Japanese kana), words and single punctuation marks
// elsewhere. Whitespace separates tokens and is dropped. Every token keeps its [start, end)
// range in UTF-16 code units, so a surrogate pair such as an emoji spans two units.

import type { Token } from './types';

// Characters that are each a token: Han ideographs, kana, Bopomofo, and CJK punctuation and
// full-width forms (。，！ etc.).
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\u3000-\u303f\uff00-\uffef`;
// An emoji with its modifiers, variation selectors and zero-width-joined parts, or a flag made
// of two regional indicators: one visible symbol, one token.
const EMOJI_PART = String.raw`\p{Extended_Pictographic}(?:\p{Emoji_Modifier}|\ufe0f|\u20e3)*`;
const EMOJI = String.raw`\p{Regional_Indicator}{2}|${EMOJI_PART}(?:\u200d${EMOJI_PART})*`;
// Letters, marks, digits and connector punctuation that are not CJK form a word.
const WORD = String.raw`(?:(?![${CJK}])[\p{L}\p{M}\p{N}\p{Pc}])+`;
// Anything else that is not whitespace is a token of its own, with any combining marks.
const OTHER = String.raw`[^\s]\p{M}*`;

const TOKEN = new RegExp(`[${CJK}]\\p{M}*|${EMOJI}|${WORD}|${OTHER}`, 'gu');

export function tokenizeText(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    tokens.push({ text: m[0], start, end: start + m[0].length });
  }
  return tokens;
}
