"""Held-out lines and training-set token counts for the tests of the shipped models.

The tests (test/unit/engine/heldout.test.ts) run media/models/learned-*.onnx on these lines and
compare the loss with a unigram baseline they compute from these counts; the training corpus
itself (scripts/train/out/, rebuilt by corpus.py) is too large to keep in the repository.

    /usr/bin/python3 scripts/train/evaldata.py     # after corpus.py and tokenizer.py

Writes test/fixtures/models/heldout.txt (the first LINES lines of the held-out set) and
unigram.json: per objective, how often each token id is a target in the training set
(causal: every token after [CLS], [SEP] included; bidirectional: ordinary tokens only).
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from tokenizer import MASK, SPECIALS, Tokenizer  # noqa: E402
from train import N_CTX, OUT, encode_file  # noqa: E402

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "models"
LINES = 300


def main():
    tok = Tokenizer.load()
    vocab = len(tok.vocab_list)
    causal = [0] * vocab
    bidirectional = [0] * vocab
    for ids in encode_file(tok, "train.txt"):
        for i in ids[1:]:
            causal[i] += 1
        for i in ids:
            if i >= len(SPECIALS):
                bidirectional[i] += 1
    FIXTURES.mkdir(parents=True, exist_ok=True)
    heldout = [line for line in (OUT / "heldout.txt").read_text(encoding="utf-8").splitlines() if line.strip()][:LINES]
    (FIXTURES / "heldout.txt").write_text("\n".join(heldout) + "\n", encoding="utf-8")
    counts = {"specials": len(SPECIALS), "mask": MASK, "nCtx": N_CTX, "causal": causal, "bidirectional": bidirectional}
    (FIXTURES / "unigram.json").write_text(json.dumps(counts, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(heldout)} held-out lines and the counts of {sum(causal)} training targets over {vocab} ids")


if __name__ == "__main__":
    main()
