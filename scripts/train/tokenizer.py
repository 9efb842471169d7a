"""A Hugging Face tokenizer.json for the learned models, written by hand, and the same
tokenization in Python so training needs no tokenizer library.

The pipeline is BERT's: BertNormalizer (control characters dropped, spaces put around every CJK
character, lowercase, accents kept), BertPreTokenizer (split on whitespace and punctuation), a
WordPiece model, and a post-processor that wraps a sentence as [CLS] ... [SEP]. So each Chinese
character is one token, and English words become word pieces ("##" marks a continuation).

Vocabulary, learned from out/train.txt by counting:
  * the most frequent CJK characters (CJK_CHARS of them);
  * every other character seen at least MIN_CHAR times, alone and as a "##" continuation, so an
    English word never falls back to [UNK] as a whole;
  * English pieces from rounds of pair merges on word counts: in each round the most frequent
    adjacent pairs of pieces (not overlapping) are joined, until ENGLISH_PIECES are learned.

    /usr/bin/python3 scripts/train/tokenizer.py     # writes media/models/tokenizer.json
"""
import collections
import json
import pathlib
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = pathlib.Path(__file__).resolve().parent / "out"
TOKENIZER_JSON = ROOT / "media" / "models" / "tokenizer.json"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = range(5)
CJK_CHARS = 3000
MIN_CHAR = 20
ENGLISH_PIECES = 1500
MERGES_PER_ROUND = 25
MAX_WORD_CHARS = 100


# ---------------------------------------------------------------- BERT normalizer and pre-tokenizer

def is_cjk(ch):
    """The ranges BertNormalizer's handle_chinese_chars puts spaces around."""
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cf")


def is_punctuation(ch):
    return (ch.isascii() and not ch.isalnum() and ch.isprintable() and ch != " ") or unicodedata.category(ch).startswith("P")


def normalize(text):
    out = []
    for ch in text:
        if ch == "\0" or ch == "\ufffd" or is_control(ch):
            continue
        if ch.isspace():
            out.append(" ")
        elif is_cjk(ch):
            out.append(" " + ch + " ")
        else:
            out.append(ch)
    return "".join(out).lower()


def pre_tokenize(text):
    """Words: whitespace-separated runs with each punctuation character on its own."""
    words = []
    for chunk in text.split():
        current = ""
        for ch in chunk:
            if is_punctuation(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


# ---------------------------------------------------------------- WordPiece

def wordpiece(word, vocab):
    """Greedy longest-match-first pieces of one word; the whole word is [UNK] if any part fails."""
    if len(word) > MAX_WORD_CHARS:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                break
            end -= 1
        if end == start:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


class Tokenizer:
    """Encodes like tokenizer.json does: ids with [CLS] first and [SEP] last."""

    def __init__(self, vocab_list):
        self.vocab_list = vocab_list
        self.vocab = {p: i for i, p in enumerate(vocab_list)}
        self.cache = {}

    def pieces(self, text):
        out = []
        for w in pre_tokenize(normalize(text)):
            if w not in self.cache:
                self.cache[w] = wordpiece(w, self.vocab)
            out.extend(self.cache[w])
        return out

    def encode(self, text):
        return [CLS] + [self.vocab[p] for p in self.pieces(text)] + [SEP]

    @classmethod
    def load(cls, path=TOKENIZER_JSON):
        vocab = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))["model"]["vocab"]
        return cls(sorted(vocab, key=vocab.get))


# ---------------------------------------------------------------- vocabulary learning

def word_counts(lines):
    counts = collections.Counter()
    for line in lines:
        counts.update(pre_tokenize(normalize(line)))
    return counts


def learn_merges(counts, base, budget):
    """Rounds of pair merges on the (non-CJK) words: each word is a list of pieces, starting as
    characters; a merged pair becomes one piece ('##' kept when the left one continues)."""
    words = [[w[0]] + ["##" + c for c in w[1:]] for w in counts]
    freqs = list(counts.values())
    learned = []
    known = set(base)
    while len(learned) < budget:
        pairs = collections.Counter()
        for pieces, f in zip(words, freqs):
            for a, b in zip(pieces, pieces[1:]):
                pairs[a, b] += f
        if not pairs:
            break
        chosen, used = {}, set()
        for (a, b), _ in pairs.most_common():
            if len(chosen) >= MERGES_PER_ROUND or len(learned) + len(chosen) >= budget:
                break
            if a in used or b in used:  # pairs in one round must not share a piece
                continue
            chosen[a, b] = a + b[2:]
            used.update((a, b))
        for i, pieces in enumerate(words):
            j, merged = 0, []
            while j < len(pieces):
                if j + 1 < len(pieces) and (pieces[j], pieces[j + 1]) in chosen:
                    merged.append(chosen[pieces[j], pieces[j + 1]])
                    j += 2
                else:
                    merged.append(pieces[j])
                    j += 1
            words[i] = merged
        for piece in chosen.values():
            if piece not in known:
                known.add(piece)
                learned.append(piece)
    return learned


def build_vocab(lines):
    counts = word_counts(lines)
    chars = collections.Counter()
    for w, f in counts.items():
        for ch in w:
            chars[ch] += f
    cjk = [c for c, _ in sorted(((c, f) for c, f in chars.items() if is_cjk(c)), key=lambda cf: (-cf[1], cf[0]))][:CJK_CHARS]
    other = sorted(c for c, f in chars.items() if not is_cjk(c) and f >= MIN_CHAR)
    base = other + ["##" + c for c in other if not is_punctuation(c)]
    english = {w: f for w, f in counts.items()
               if f >= 2 and not any(is_cjk(c) for c in w) and all(c in other for c in w) and len(w) > 1}
    merges = learn_merges(english, base, ENGLISH_PIECES)
    return SPECIALS + cjk + base + merges


# ---------------------------------------------------------------- tokenizer.json

def special(i, content):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_json(vocab_list):
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(i, t) for i, t in enumerate(SPECIALS)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": False, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [SPECIALS.index(t)], "tokens": [t]} for t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": MAX_WORD_CHARS, "vocab": {p: i for i, p in enumerate(vocab_list)}},
    }


def main():
    lines = (OUT / "train.txt").read_text(encoding="utf-8").splitlines()
    vocab_list = build_vocab(lines)
    TOKENIZER_JSON.parent.mkdir(parents=True, exist_ok=True)
    TOKENIZER_JSON.write_text(json.dumps(tokenizer_json(vocab_list), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n_cjk = sum(1 for p in vocab_list if len(p) == 1 and is_cjk(p))
    print(f"vocabulary {len(vocab_list)}: {len(SPECIALS)} special, {n_cjk} CJK characters, "
          f"{len(vocab_list) - len(SPECIALS) - n_cjk} other pieces -> {TOKENIZER_JSON}")
    tok = Tokenizer(vocab_list)
    for text in ("我喜欢吃苹果", "The quick brown fox jumps over the lazy dog."):
        print(text, "->", tok.pieces(text))


if __name__ == "__main__":
    main()
