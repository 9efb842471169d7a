import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerJson, type Token } from '../../../src/core';
import { CORE_FIXTURES } from './fixtures';

const load = (name: string) =>
  loadTokenizerJson(JSON.parse(readFileSync(path.join(CORE_FIXTURES, 'tokenizers', `${name}.json`), 'utf8')));

/** [token, the source text its range covers] pairs, with special tokens marked by a "*". */
const spans = (source: string, tokens: Token[]) =>
  tokens.map((t) => [t.special ? `*${t.text}` : t.text, source.slice(t.start, t.end)]);

describe('loadTokenizerJson', () => {
  describe('WordPiece (BERT-style)', () => {
    const tok = load('wordpiece');

    it('maps word pieces back to their characters, through lowercasing', () => {
      const source = 'The cats sat, playing.';
      const tokens = tok.tokenize(source);
      assert.deepEqual(spans(source, tokens), [
        ['*[CLS]', ''], ['the', 'The'], ['cat', 'cat'], ['##s', 's'], ['sat', 'sat'], [',', ','],
        ['play', 'play'], ['##ing', 'ing'], ['.', '.'], ['*[SEP]', ''],
      ]);
      assert.deepEqual(tokens.map((t) => t.id), [2, 5, 6, 13, 7, 22, 10, 11, 21, 3]);
    });

    it('gives special tokens an empty range where they were added', () => {
      const source = 'the mat';
      const tokens = tok.tokenize(source);
      assert.deepEqual([tokens[0].start, tokens[0].end, tokens[0].special], [0, 0, true]);
      const last = tokens[tokens.length - 1];
      assert.deepEqual([last.start, last.end, last.special], [7, 7, true]);
    });

    it('finds accented text the normalizer stripped', () => {
      const source = 'Café naïve';
      assert.deepEqual(spans(source, tok.tokenize(source)).slice(1, -1), [['cafe', 'Café'], ['naive', 'naïve']]);
    });

    it('splits Chinese per character and gives each [UNK] the text it replaced', () => {
      const source = '我喜欢 AI模型 xyz!';
      assert.deepEqual(spans(source, tok.tokenize(source)).slice(1, -1), [
        ['我', '我'], ['喜', '喜'], ['欢', '欢'], ['ai', 'AI'], ['[UNK]', '模'], ['[UNK]', '型'], ['[UNK]', 'xyz'], ['!', '!'],
      ]);
    });

    it('keeps a special token typed in the text at its place', () => {
      const source = 'cat [SEP] mat';
      const tokens = tok.tokenize(source);
      assert.deepEqual(spans(source, tokens), [
        ['*[CLS]', ''], ['cat', 'cat'], ['*[SEP]', '[SEP]'], ['mat', 'mat'], ['*[SEP]', ''],
      ]);
    });
  });

  describe('byte-level BPE (GPT-2-style)', () => {
    const tok = load('byte_bpe');

    it('maps merged byte pieces to words', () => {
      const source = 'hello world the cat';
      assert.deepEqual(spans(source, tok.tokenize(source)), [
        ['hello', 'hello'], ['Ġworld', 'world'], ['Ġthe', 'the'], ['Ġcat', 'cat'],
      ]);
    });

    it('gives every byte of a multi-byte character that character, surrogate pairs included', () => {
      const source = 'café 我👋🏽';
      const tokens = tok.tokenize(source);
      assert.deepEqual(spans(source, tokens), [
        ['ca', 'ca'], ['f', 'f'], ['Ã', 'é'], ['©', 'é'], ['Ġ', ' '],
        ['æ', '我'], ['Ī', '我'], ['ĳ', '我'],
        ['ð', '👋'], ['Ł', '👋'], ['ĳ', '👋'], ['ĭ', '👋'],
        ['ð', '🏽'], ['Ł', '🏽'], ['ı', '🏽'], ['½', '🏽'],
      ]);
      assert.deepEqual([tokens[8].start, tokens[8].end], [6, 8]);
    });
  });

  describe('decode', () => {
    const roundTrip = (name: string, text: string) => {
      const tok = load(name);
      const ids = tok.tokenize(text).filter((t) => !t.special).map((t) => t.id as number);
      assert.ok(ids.length > 0);
      return tok.decode(ids);
    };

    it('turns WordPiece ids back into the (lowercased) text, "##" pieces joined', () => {
      assert.equal(roundTrip('wordpiece', 'the cats sat on the mat, playing.'), 'the cats sat on the mat, playing.');
    });

    it('turns byte-level BPE ids back into the text, multi-byte characters included', () => {
      assert.equal(roundTrip('byte_bpe', 'hello world the cat'), 'hello world the cat');
      assert.equal(roundTrip('byte_bpe', 'café 我👋🏽'), 'café 我👋🏽');
    });

    it('skips special tokens', () => {
      const tok = load('wordpiece');
      const ids = tok.tokenize('the cat').map((t) => t.id as number);
      assert.equal(ids.length, 4); // [CLS] the cat [SEP]
      assert.equal(tok.decode(ids), 'the cat');
    });

    it('gives empty text for no ids, and rejects ids that are not integers', () => {
      assert.equal(load('byte_bpe').decode([]), '');
      assert.throws(() => load('byte_bpe').decode([1.5]), { name: 'InputError', code: 'tokenizer' });
    });
  });

  it('rejects what is not a tokenizer.json', () => {
    assert.throws(() => loadTokenizerJson({ hello: 1 }), { name: 'InputError', code: 'tokenizer' });
    assert.throws(() => loadTokenizerJson(null), { code: 'tokenizer' });
  });
});
