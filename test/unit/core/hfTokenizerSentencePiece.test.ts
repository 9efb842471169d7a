// SentencePiece tokenizer.json files (Unigram as T5 / XLM-R export it, BPE with byte fallback as
// Llama / Mistral do) against SentencePiece's own encodings, written by
// scripts/fixtures/make_sentencepiece_tokenizers.py from the models it trained.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerJson, type TextTokenizer, type Token } from '../../../src/core';
import { CORE_FIXTURES } from './fixtures';

interface SpCase {
  text: string;
  pieces: string[];
  ids: number[];
  /** UTF-16 [start, end) of the input each piece stands for, as SentencePiece reports it. */
  ranges: [number, number][];
  decoded: string;
}

interface SpExpected {
  prepend: { token: string; id: number }[];
  append: { token: string; id: number }[];
  cases: SpCase[];
}

const DIR = path.join(CORE_FIXTURES, 'tokenizers');
const EXPECTED = JSON.parse(readFileSync(path.join(DIR, 'sentencepiece_expected.json'), 'utf8')) as Record<string, SpExpected>;
const readJson = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
const load = (name: string): TextTokenizer => loadTokenizerJson(readJson(name));

/**
 * The same BPE as newer Llama / Mistral exports write it: no normalizer, and a Metaspace
 * pre-tokenizer that adds "▁" before the text unless the text starts with a space. For text that
 * does not start with one, that is the same encoding as the Prepend + Replace normalizer's.
 */
const metaspaceLayout = (): TextTokenizer =>
  loadTokenizerJson({
    ...readJson('bpe_byte_fallback'),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false },
  });

const isByte = (piece: string) => /^<0x[0-9A-F]{2}>$/.test(piece);

/**
 * The range each piece should get, from SentencePiece's: a piece that spells a word loses the
 * spaces around it (the "▁" of "▁like" is the space before the word, not part of it); a piece
 * that is only a space keeps its range. SentencePiece gives the character to the last byte of a
 * byte-fallback run and empty ranges to the others; here every byte of the run covers the character.
 */
function expectedRanges(source: string, c: SpCase): [number, number][] {
  const out = c.ranges.map(([s, e]): [number, number] => {
    const covered = source.slice(s, e);
    if (covered.trim() === '') return [s, e];
    return [s + (covered.length - covered.trimStart().length), e - (covered.length - covered.trimEnd().length)];
  });
  for (let i = out.length - 2; i >= 0; i--) {
    if (isByte(c.pieces[i]) && isByte(c.pieces[i + 1]) && out[i][0] === out[i][1]) out[i] = out[i + 1];
  }
  return out;
}

/** [token, the source text its range covers] pairs, with special tokens marked by a "*". */
const spans = (source: string, tokens: Token[]) =>
  tokens.map((t) => [t.special ? `*${t.text}` : t.text, source.slice(t.start, t.end)]);

const KINDS: { name: string; title: string; make: () => TextTokenizer; texts?: (text: string) => boolean }[] = [
  { name: 'unigram', title: 'SentencePiece Unigram (T5 / XLM-R-style tokenizer.json)', make: () => load('unigram') },
  {
    name: 'bpe_byte_fallback',
    title: 'SentencePiece BPE with byte fallback (Llama / Mistral-style tokenizer.json)',
    make: () => load('bpe_byte_fallback'),
  },
  {
    name: 'bpe_byte_fallback',
    title: 'SentencePiece BPE with byte fallback, Metaspace pre-tokenizer instead of Prepend + Replace',
    make: metaspaceLayout,
    texts: (text) => !/^\s/.test(text),
  },
];

for (const { name, title, make, texts } of KINDS) {
  describe(title, () => {
    const tok = make();
    const all = EXPECTED[name];
    const expected = { ...all, cases: all.cases.filter((c) => !texts || texts(c.text)) };
    const caseOf = (text: string) => {
      const c = expected.cases.find((k) => k.text === text);
      assert.ok(c, `no reference for ${JSON.stringify(text)}`);
      return c;
    };

    for (const c of expected.cases) {
      it(`matches sentencepiece on ${JSON.stringify(c.text)}`, () => {
        const tokens = tok.tokenize(c.text);
        const np = expected.prepend.length;
        const na = expected.append.length;
        assert.deepEqual(
          tokens.map((t) => t.id),
          [...expected.prepend.map((s) => s.id), ...c.ids, ...expected.append.map((s) => s.id)],
          'ids',
        );
        const specials = [...tokens.slice(0, np), ...tokens.slice(tokens.length - na)];
        assert.deepEqual(specials.map((t) => [t.text, t.special]), [...expected.prepend, ...expected.append].map((s) => [s.token, true]));
        for (const t of specials) assert.equal(t.start, t.end, `${t.text} is added, so its range is empty`);
        const own = tokens.slice(np, tokens.length - na);
        assert.deepEqual(own.map((t) => t.text), c.pieces, 'pieces');
        assert.ok(own.every((t) => !t.special));
        assert.deepEqual(
          own.map((t) => [t.start, t.end]),
          expectedRanges(c.text, c),
          `ranges: ${JSON.stringify(spans(c.text, own))}`,
        );
      });

      it(`keeps ranges in order and inside ${JSON.stringify(c.text)}`, () => {
        const tokens = tok.tokenize(c.text);
        let prev: Token | null = null;
        for (const t of tokens) {
          assert.ok(t.start >= 0 && t.start <= t.end && t.end <= c.text.length, `${t.text} [${t.start}, ${t.end})`);
          if (prev) {
            const same = prev.start === t.start && prev.end === t.end;
            assert.ok(same || t.start >= prev.end, `${prev.text} [${prev.start}, ${prev.end}) then ${t.text} [${t.start}, ${t.end})`);
          }
          prev = t;
        }
      });
    }

    it('decodes what it encodes back to what sentencepiece decodes', () => {
      let checked = 0;
      for (const c of expected.cases) {
        if (c.pieces.includes('<unk>')) continue; // sentencepiece writes " ⁇ " for it, Hugging Face drops it
        const ids = tok.tokenize(c.text).filter((t) => !t.special).map((t) => t.id as number);
        assert.equal(tok.decode(ids), c.decoded, JSON.stringify(c.text));
        checked++;
      }
      assert.ok(checked >= 6, `only ${checked} cases without <unk>`);
    });

    it('gives nothing but the added special tokens for empty text', () => {
      const tokens = tok.tokenize('');
      assert.deepEqual(spans('', tokens), [...expected.prepend, ...expected.append].map((s) => [`*${s.token}`, '']));
      assert.equal(caseOf('').ids.length, 0);
    });

    it('decodes no ids to empty text', () => {
      assert.equal(tok.decode([]), '');
    });
  });
}

describe('SentencePiece tokenizer.json: Chinese, emoji and unknown characters', () => {
  it('Unigram: groups of Chinese characters and an unknown emoji map to their characters', () => {
    const tok = load('unigram');
    const source = 'I like to eat apples. 我喜欢吃苹果!';
    assert.deepEqual(spans(source, tok.tokenize(source)).slice(-7), [
      ['▁', ' '], ['我喜欢', '我喜欢'], ['吃', '吃'], ['苹', '苹'], ['果', '果'], ['!', '!'], ['*</s>', ''],
    ]);
    const emoji = 'Hello 👋🏽 world 😀';
    const tokens = tok.tokenize(emoji);
    const unknown = tokens.filter((t) => t.text === '<unk>');
    assert.deepEqual(unknown.map((t) => emoji.slice(t.start, t.end)), ['👋🏽', '😀']);
  });

  it('Unigram: a full-width character the normalizer folded maps back to it', () => {
    const tok = load('unigram');
    const source = 'Ｆｕｌｌｗｉｄｔｈ ＡＢＣ';
    assert.deepEqual(spans(source, tok.tokenize(source)).slice(0, 3), [['▁F', 'Ｆ'], ['u', 'ｕ'], ['ll', 'ｌｌ']]);
  });

  it('BPE with byte fallback: the <0xNN> tokens of one character all cover that character', () => {
    const tok = load('bpe_byte_fallback');
    const source = '龘 is';
    assert.deepEqual(spans(source, tok.tokenize(source)), [
      ['*<s>', ''], ['▁', ''], ['<0xE9>', '龘'], ['<0xBE>', '龘'], ['<0x98>', '龘'], ['▁is', 'is'],
    ]);
    const emoji = 'Hello 👋🏽';
    const bytes = tok.tokenize(emoji).filter((t) => t.text.startsWith('<0x'));
    assert.deepEqual(bytes.map((t) => emoji.slice(t.start, t.end)), ['👋', '👋', '👋', '👋', '🏽', '🏽', '🏽', '🏽']);
  });

  it('BPE with byte fallback: each "▁" covers one space, and the one the text added covers none', () => {
    const tok = load('bpe_byte_fallback');
    const source = '  and  double';
    assert.deepEqual(spans(source, tok.tokenize(source)), [
      ['*<s>', ''], ['▁', ''], ['▁', ' '], ['▁and', 'and'], ['▁', ' '], ['▁d', 'd'], ['ou', 'ou'], ['ble', 'ble'],
    ]);
  });
});
