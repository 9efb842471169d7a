// Tokens from any Hugging Face tokenizer.json, with the character ranges the library does not
// give. Each token's vocabulary piece is turned back into the text it stands for (dropping "##"
// continuation marks, SentencePiece "▁" spaces and byte-level encoding; the <0xNN> bytes of a
// byte-fallback run decode together), then matched in order against the source with case, accents
// and compatibility forms folded, because normalizers lowercase, strip accents and apply NFKC
// (full-width "Ａ" is "a"). Tokens that stand for spaces cover as many whitespace characters as they
// spell, found between their neighbours; the space a pipeline adds before the text covers none.
// Tokens that match nothing ([UNK], bytes that never form a character) share the span of source
// text between their neighbours, and the several bytes of one character all get that character.
// Special tokens a post-processor adds ([CLS], <s>, </s>) get `special: true` and an empty range
// at the point they were inserted.

import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from './errors';
import { tokenizeText } from './tokenize';
import type { Token } from './types';

export interface TextTokenizer {
  tokenize(text: string): Token[];
  /** The text of token ids, special tokens left out (the library's decode with skip_special_tokens). */
  decode(ids: number[]): string;
}

interface PieceRules {
  byteLevel: boolean;
  metaspace: string | null;
  prefix: string | null;
  suffix: string | null;
  unk: string | null;
  unkId: number | null;
  special: Set<string>;
  /**
   * Whether the pipeline puts a space of its own before the text ("▁" by a Prepend normalizer or
   * a Metaspace pre-tokenizer, "Ġ" by add_prefix_space): always, unless the text starts with one.
   */
  prefixSpace: 'always' | 'unless-space' | null;
}

/** Builds a tokenizer from the parsed tokenizer.json (and, optionally, tokenizer_config.json). */
export function loadTokenizerJson(json: unknown, config: unknown = {}): TextTokenizer {
  if (typeof json !== 'object' || json === null || !('model' in json)) {
    throw new InputError('tokenizer', 'not a tokenizer.json: it has no "model"');
  }
  checkModelStrings(json as Record<string, unknown>);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config ?? {});
  } catch (e) {
    throw new InputError('tokenizer', `cannot load the tokenizer: ${(e as Error).message}`);
  }
  const rules = pieceRules(json as Record<string, unknown>);
  rules.unkId = rules.unk === null ? null : tokenizer.token_to_id(rules.unk) ?? null;
  return {
    tokenize(text: string): Token[] {
      let encoded: { ids: number[]; tokens: string[] };
      try {
        encoded = tokenizer.encode(text);
      } catch (e) {
        throw new InputError('tokenizer', `the tokenizer failed on this text: ${(e as Error).message}`);
      }
      return alignTokens(text, encoded.tokens, encoded.ids, rules);
    },
    decode(ids: number[]): string {
      for (const id of ids) {
        if (!Number.isInteger(id) || tokenizer.id_to_token(id) === undefined) {
          throw new InputError('tokenizer', `cannot decode token id ${id}: it is not in the vocabulary`);
        }
      }
      // The library refuses an empty list.
      return ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: true });
    },
  };
}

/**
 * The model's fields the library reads as strings must be strings (or absent, or null): a number
 * there fails deep inside it ("startsWith is not a function") instead of naming the field.
 */
function checkModelStrings(json: Record<string, unknown>): void {
  const model = json.model;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw new InputError('tokenizer', 'not a tokenizer.json: "model" is not an object');
  }
  for (const field of ['type', 'unk_token', 'continuing_subword_prefix', 'end_of_word_suffix']) {
    const v = (model as Record<string, unknown>)[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw new InputError('tokenizer', `tokenizer.json: "model.${field}" must be a string, got ${JSON.stringify(v).slice(0, 40)}`);
    }
  }
}

/** Reads from the JSON how vocabulary pieces spell their text. */
function pieceRules(json: Record<string, unknown>): PieceRules {
  const model = (json.model ?? {}) as Record<string, unknown>;
  const all = JSON.stringify([json.pre_tokenizer, json.decoder, json.normalizer]);
  const metaspace = /"type":"Metaspace"/.test(all) || /\u2581/.test(JSON.stringify(json.decoder ?? ''))
    ? String((findKey(json.pre_tokenizer, 'replacement') ?? findKey(json.decoder, 'replacement') ?? '\u2581'))
    : null;
  const special = new Set<string>();
  for (const t of (json.added_tokens ?? []) as { content?: string; special?: boolean }[]) {
    if (t.special && typeof t.content === 'string') special.add(t.content);
  }
  // Unigram names its unknown piece by index (unk_id), the other models by text (unk_token).
  const unigramUnk = model.type === 'Unigram' && Array.isArray(model.vocab) && typeof model.unk_id === 'number'
    ? (model.vocab[model.unk_id] as unknown[] | undefined)?.[0] : undefined;
  const unk = typeof unigramUnk === 'string' ? unigramUnk : typeof model.unk_token === 'string' ? model.unk_token : null;
  if (unk) special.delete(unk); // [UNK] stands for real text
  const prefix = model.type === 'WordPiece' ? String(model.continuing_subword_prefix ?? '##') : stringOrNull(model.continuing_subword_prefix);
  const pre = JSON.stringify(json.pre_tokenizer ?? null);
  const prepends = /"prepend_scheme":"(always|first)"|"add_prefix_space":true/.test(pre)
    && /"type":"(Metaspace|ByteLevel)"/.test(pre);
  const splitsOnSpace = /"type":"(WhitespaceSplit|Whitespace)"/.test(pre);
  const prependNormalizer = metaspace !== null && findKey(json.normalizer, 'prepend') === metaspace;
  return {
    prefixSpace: prependNormalizer || (prepends && splitsOnSpace) ? 'always' : prepends ? 'unless-space' : null,
    byteLevel: /"type":"ByteLevel"/.test(all),
    metaspace,
    prefix,
    suffix: stringOrNull(model.end_of_word_suffix),
    unk,
    unkId: null,
    special,
  };
}

const stringOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** First value under `key` anywhere inside `value` (pre-tokenizers nest in Sequence). */
function findKey(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const obj = value as Record<string, unknown>;
  if (key in obj) return obj[key];
  for (const v of Object.values(obj)) {
    const found = findKey(v, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The raw bytes of a byte-level or byte-fallback piece; null for pieces that are text. */
function pieceBytes(piece: string, rules: PieceRules): number[] | null {
  const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece); // SentencePiece byte fallback
  if (byte) return [parseInt(byte[1], 16)];
  if (!rules.byteLevel) return null;
  const bytes = Array.from(piece, (ch) => byteOf(ch));
  return bytes.every((b) => b >= 0) ? bytes : null;
}

/** The source text a piece stands for, or null when it stands for unknown text ([UNK]). */
function pieceText(piece: string, rules: PieceRules): string | null {
  if (rules.unk !== null && piece === rules.unk) return null;
  return spell(piece, rules);
}

/** Undoes the vocabulary's spelling conventions: "▁" for spaces, "##" and "</w>" markers. */
function spell(text: string, rules: PieceRules): string {
  let s = text;
  if (rules.metaspace) s = s.split(rules.metaspace).join(' ');
  if (rules.prefix && s.startsWith(rules.prefix) && s.length > rules.prefix.length) s = s.slice(rules.prefix.length);
  if (rules.suffix && s.endsWith(rules.suffix)) s = s.slice(0, -rules.suffix.length);
  return s;
}

// GPT-2 byte-level alphabet: printable Latin-1 bytes stand for themselves; the other 68 bytes
// are shifted to U+0100 onwards in byte order.
const BYTE_OF_CHAR = (() => {
  const map = new Map<number, number>();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(printable ? b : 256 + shifted++, b);
  }
  return map;
})();

const byteOf = (ch: string): number => BYTE_OF_CHAR.get(ch.codePointAt(0) ?? 0) ?? -1;

/** Strict UTF-8 decoding; null for invalid or incomplete sequences. */
function utf8Decode(bytes: number[]): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const len = b < 0 ? 0 : b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return null;
    let cp = len === 1 ? b : b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return null;
      cp = (cp << 6) | (c & 0x3f);
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

/** Source text with case and accents folded, and where each folded unit came from. */
interface Folded {
  text: string;
  start: number[]; // source UTF-16 start of folded unit i
  end: number[]; // source UTF-16 end of folded unit i
}

const fold = (s: string): string => s.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '');

function foldSource(source: string): Folded {
  const f: Folded = { text: '', start: [], end: [] };
  let i = 0;
  for (const ch of source) {
    const folded = fold(ch);
    for (let k = 0; k < folded.length; k++) {
      f.start.push(i);
      f.end.push(i + ch.length);
    }
    f.text += folded;
    i += ch.length;
  }
  return f;
}

function alignTokens(source: string, pieces: string[], ids: number[], rules: PieceRules): Token[] {
  const a = new Aligner(source);
  let bytes: number[] = []; // bytes of a character split over several tokens, so far
  let byteTokens: Token[] = [];
  // A Unigram model gives an unknown character's own text as its piece; the token shows the
  // vocabulary's unknown piece, as it does for the other models.
  const tokens = pieces.map((piece, t): Token => ({
    text: rules.unk !== null && ids[t] === rules.unkId ? rules.unk : piece, start: 0, end: 0, id: ids[t],
  }));
  // The space the pipeline put before the text stands for no source text.
  let prefixSpace = rules.prefixSpace === 'always' || (rules.prefixSpace === 'unless-space' && !/^\s/.test(source));
  const place = (text: string | null, group: Token[]) => {
    a.text(prefixSpace && text !== null && text.startsWith(' ') ? text.slice(1) : text, group);
    prefixSpace = false;
  };
  pieces.forEach((piece, t) => {
    const token = tokens[t];
    if (rules.special.has(piece)) {
      token.special = true;
      a.special(token);
      return;
    }
    const b = pieceBytes(piece, rules);
    if (!b) {
      place(pieceText(piece, rules), [token]);
      return;
    }
    bytes.push(...b);
    byteTokens.push(token);
    const text = utf8Decode(bytes);
    // A UTF-8 character is at most 4 bytes; longer invalid runs will never decode.
    if (text === null && bytes.length < 8) return;
    place(text === null ? null : spell(text, rules), byteTokens);
    bytes = [];
    byteTokens = [];
  });
  if (byteTokens.length) place(null, byteTokens);
  a.finish();
  return tokens;
}

/** Tokens placed together: unknown text, spaces (how many the tokens spell), or one added token. */
type Waiting = { kind: 'unknown'; group: Token[] } | { kind: 'space'; group: Token[]; n: number } | { kind: 'special'; group: Token[] };

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);

/** Walks the folded source left to right, placing tokens as their text is found. */
class Aligner {
  private readonly f: Folded;
  private cursor = 0; // in folded units
  /** Tokens whose place is known only once the next token is found. */
  private pending: Waiting[] = [];

  constructor(private readonly source: string) {
    this.f = foldSource(source);
  }

  /** Places `group` (tokens that together spell `text`); null text means unknown. */
  text(text: string | null, group: Token[]): void {
    if (text === null) {
      this.pending.push({ kind: 'unknown', group });
      return;
    }
    if (text.trim() === '') {
      // Spaces ("▁", "Ġ", a tab byte) are placed with the whitespace before the next token found.
      this.pending.push({ kind: 'space', group, n: text.length });
      return;
    }
    const f = this.f;
    const needle = fold(text.trim());
    const at = matchAt(f.text, needle, this.cursor) ?? findFrom(f.text, needle, this.cursor);
    if (!at) {
      this.pending.push({ kind: 'unknown', group });
      return;
    }
    // The spaces the token itself spells ("▁the") are its own, not the preceding tokens'.
    this.close(at[0], text.length - text.trimStart().length);
    this.set(group, at[0], at[1]);
  }

  /** A special token is placed where it literally appears, else as an empty range where it was added. */
  special(token: Token): void {
    const at = matchAt(this.f.text, fold(token.text), this.cursor);
    if (!at) {
      this.pending.push({ kind: 'special', group: [token] });
      return;
    }
    this.close(at[0], 0);
    this.set([token], at[0], at[1]);
  }

  finish(): void {
    this.close(this.f.text.length, 0);
  }

  private set(group: Token[], from: number, to: number): void {
    this.place(group, from, to);
    this.cursor = to;
  }

  private src(u: number): number {
    return u < this.f.start.length ? this.f.start[u] : this.source.length;
  }

  /**
   * Places the pending tokens in the source between the cursor and `upTo`, less the last
   * `reserve` spaces (the next token's own). Space tokens before any unknown text take the
   * whitespace at the start of that span, those after it the whitespace at its end, each as many
   * characters as it spells; where a normalizer collapsed a run of spaces or added one ("▁" before
   * the first word), the first of them takes what is left over, possibly nothing. Unknown tokens
   * (and spaces among them) share the text between, whitespace trimmed, unless it holds exactly as
   * many words as there are of them (two [UNK] for "模型"): then each gets its own. Special tokens
   * get an empty range where the token before them ends, or else where the one after them starts.
   */
  private close(upTo: number, reserve: number): void {
    if (this.pending.length === 0) return;
    const s = this.f.text;
    const from = this.cursor;
    let to = Math.max(upTo, from);
    for (let r = reserve; r > 0 && to > from && isSpace(s[to - 1]); r--) to--;
    const firstUnknown = this.pending.findIndex((w) => w.kind === 'unknown');
    const lastUnknown = this.pending.length - 1 - [...this.pending].reverse().findIndex((w) => w.kind === 'unknown');
    const spaces = (lo: number, hi: number) =>
      this.pending.slice(lo, hi).filter((w): w is Extract<Waiting, { kind: 'space' }> => w.kind === 'space');
    let trailStart = to;
    while (trailStart > from && isSpace(s[trailStart - 1])) trailStart--;
    let reached = from;
    if (firstUnknown < 0) {
      const all = spaces(0, this.pending.length);
      this.spread(all, trailStart, to, 'right');
      if (all.length > 0) reached = to;
    } else {
      const leadEnd = Math.min(skipSpace(s, from), trailStart);
      const textEnd = Math.max(trailStart, leadEnd);
      const trailing = spaces(lastUnknown + 1, this.pending.length);
      this.spread(spaces(0, firstUnknown), from, leadEnd, 'left');
      this.spread(trailing, textEnd, to, 'right');
      const between = this.pending.slice(firstUnknown, lastUnknown + 1).filter((w) => w.kind !== 'special');
      this.unknown(between.flatMap((w) => w.group), leadEnd, textEnd);
      reached = trailing.length > 0 ? to : textEnd;
    }
    this.placeSpecials(this.src(skipSpace(s, from)));
    this.cursor = reached;
    this.pending = [];
  }

  /**
   * Gives each space group as many units of [lo, hi) as it spells, from the `from` side; the last
   * one takes the rest, unless it spells nothing (the space the pipeline added).
   */
  private spread(groups: { group: Token[]; n: number }[], lo: number, hi: number, from: 'left' | 'right'): void {
    const order = from === 'left' ? groups : [...groups].reverse();
    let edge = from === 'left' ? lo : hi;
    order.forEach((g, i) => {
      const last = i === order.length - 1 && g.n > 0;
      if (from === 'left') {
        const end = last ? hi : Math.min(hi, edge + g.n);
        this.place(g.group, edge, end);
        edge = end;
      } else {
        const start = last ? lo : Math.max(lo, edge - g.n);
        this.place(g.group, start, edge);
        edge = start;
      }
    });
  }

  /** Unknown tokens share [lo, hi) (in folded units), or get a word each. */
  private unknown(group: Token[], lo: number, hi: number): void {
    if (group.length === 0) return;
    this.place(group, lo, hi);
    const start = group[0].start;
    const words = tokenizeText(this.source.slice(start, group[0].end));
    if (words.length !== group.length) return;
    group.forEach((t, i) => [t.start, t.end] = [start + words[i].start, start + words[i].end]);
  }

  private place(group: Token[], from: number, to: number): void {
    const start = this.src(from);
    const end = to > from ? this.f.end[to - 1] : start;
    for (const t of group) [t.start, t.end] = [start, end];
  }

  /** Special tokens go where the placed token before them ends, or else where the next one starts. */
  private placeSpecials(fallback: number): void {
    const p = this.pending;
    p.forEach((w, i) => {
      if (w.kind !== 'special') return;
      const before = p.slice(0, i).reverse().find((x) => x.kind !== 'special');
      const after = p.slice(i + 1).find((x) => x.kind !== 'special');
      const at = before ? Math.max(...before.group.map((t) => t.end)) : after ? after.group[0].start : fallback;
      for (const t of w.group) t.start = t.end = at;
    });
  }
}

const skipSpace = (s: string, from: number): number => {
  while (from < s.length && isSpace(s[from])) from++;
  return from;
};

/** [start, end) of `needle` right at `from` (after whitespace), or null. */
function matchAt(hay: string, needle: string, from: number): [number, number] | null {
  const at = skipSpace(hay, from);
  return needle !== '' && hay.startsWith(needle, at) ? [at, at + needle.length] : null;
}

/** Like matchAt, but a piece may also be found further on when text between was dropped. */
function findFrom(hay: string, needle: string, from: number): [number, number] | null {
  if (needle === '') return null;
  const direct = matchAt(hay, needle, from);
  if (direct) return direct;
  const at = hay.indexOf(needle, from);
  return at < 0 ? null : [at, at + needle.length];
}
