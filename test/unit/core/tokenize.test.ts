import assert from 'node:assert/strict';
import { tokenizeText, type Token } from '../../../src/core';

const texts = (tokens: Token[]) => tokens.map((t) => t.text);

/** Every token's range must cut exactly its text out of the source. */
function assertRanges(source: string, tokens: Token[]): void {
  for (const t of tokens) assert.equal(source.slice(t.start, t.end), t.text, `range of "${t.text}"`);
}

describe('tokenizeText', () => {
  it('splits Chinese into one token per character', () => {
    const tokens = tokenizeText('我喜欢吃苹果');
    assert.deepEqual(texts(tokens), ['我', '喜', '欢', '吃', '苹', '果']);
    assert.deepEqual(tokens.map((t) => [t.start, t.end]), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
  });

  it('splits other scripts into words and punctuation, dropping whitespace', () => {
    const source = 'The cat sat, then   left!\n';
    const tokens = tokenizeText(source);
    assert.deepEqual(texts(tokens), ['The', 'cat', 'sat', ',', 'then', 'left', '!']);
    assertRanges(source, tokens);
    assert.deepEqual([tokens[5].start, tokens[5].end], [20, 24]);
  });

  it('handles English and Chinese mixed without spaces', () => {
    const source = 'I love AI模型, 真的！';
    const tokens = tokenizeText(source);
    assert.deepEqual(texts(tokens), ['I', 'love', 'AI', '模', '型', ',', '真', '的', '！']);
    assertRanges(source, tokens);
  });

  it('keeps emoji surrogate pairs, modifiers and joined sequences whole', () => {
    const source = 'hi 😀 👋🏽 👨‍👩‍👧 🇯🇵!';
    const tokens = tokenizeText(source);
    assert.deepEqual(texts(tokens), ['hi', '😀', '👋🏽', '👨‍👩‍👧', '🇯🇵', '!']);
    assertRanges(source, tokens);
    assert.deepEqual([tokens[1].start, tokens[1].end], [3, 5]); // two UTF-16 code units
  });

  it('keeps accented letters inside words and splits Japanese kana per character', () => {
    assert.deepEqual(texts(tokenizeText('café naïve')), ['café', 'naïve']);
    assert.deepEqual(texts(tokenizeText('ねこが好き')), ['ね', 'こ', 'が', '好', 'き']);
  });

  it('returns nothing for blank text', () => {
    assert.deepEqual(tokenizeText(' \t\n '), []);
    assert.deepEqual(tokenizeText(''), []);
  });
});
