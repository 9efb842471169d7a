"""Trains the two learned models on CPU and exports them to ONNX for media/models/.

  learned-bidirectional  masked-character model (BERT-style masking of 15% of tokens)
  learned-causal         next-token model (GPT-style, causal mask)

Both: pre-LayerNorm transformer, learned absolute positions, input and output embeddings tied
(to halve the embedding's share of the file), attention written out as MatMul, scale, Softmax so
the extension finds each layer's probabilities. The ONNX graphs take input_ids and
attention_mask [1, N] int64 and return logits [1, N, V] and, per layer l, layers.{l}.q/k/v
[1, H, N, d_head]: the tensors the attention uses after projection and head split, before the
scaling, so a head's own Q, K and V can be shown step by step.

Run after corpus.py and tokenizer.py (about 25 minutes on two cores for both):

    /usr/bin/python3 scripts/train/train.py            # both models
    /usr/bin/python3 scripts/train/train.py causal     # one of them
"""
import hashlib
import json
import math
import pathlib
import random
import sys
import time

import onnx
import torch
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from tokenizer import CLS, MASK, PAD, SEP, SPECIALS, Tokenizer  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "out"
MODELS = HERE.parents[1] / "media" / "models"
SEED = 20261201
N_CTX = 128
TOKENS_PER_BATCH = 1024  # padded tokens in one batch; sequences of similar length share a batch


class Config:
    def __init__(self, vocab, d_model=96, heads=4, layers=4, n_ctx=N_CTX, causal=False):
        self.vocab, self.d_model, self.heads, self.layers, self.n_ctx = vocab, d_model, heads, layers, n_ctx
        self.d_ff, self.causal = 4 * d_model, causal


# ---------------------------------------------------------------- model

class SelfAttention(nn.Module):
    """Multi-head self-attention in plain ops; keeps q, k, v so the export can return them."""

    def __init__(self, cfg):
        super().__init__()
        self.heads, self.causal = cfg.heads, cfg.causal
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.qkv_out = None

    def forward(self, x, key_bias):
        b, t, c = x.shape
        # [B, T, C] each -> [B, H, T, dh]
        q, k, v = (z.reshape(b, t, self.heads, c // self.heads).transpose(1, 2) for z in self.qkv(x).split(c, dim=2))
        self.qkv_out = (q, k, v)
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // self.heads))  # [B, H, T, T]
        if self.causal:
            # Later keys hidden: -inf gives them exactly zero weight (the diagonal is always open).
            future = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future, float("-inf"))
        probs = torch.softmax(scores + key_bias, dim=-1)
        y = (probs @ v).transpose(1, 2).reshape(b, t, c)
        return self.proj(y), probs


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.d_model)
        self.attn = SelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, cfg.d_ff), nn.GELU(), nn.Linear(cfg.d_ff, cfg.d_model))

    def forward(self, x, key_bias):
        a, probs = self.attn(self.ln_1(x), key_bias)
        x = x + a
        return x + self.mlp(self.ln_2(x)), probs


class Transformer(nn.Module):
    """Embeddings, pre-LN blocks, final LayerNorm, logits through the tied token embedding."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab, cfg.d_model)
        self.wpe = nn.Embedding(cfg.n_ctx, cfg.d_model)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.out_bias = nn.Parameter(torch.zeros(cfg.vocab))
        self.apply(self._init)
        self.export_qkv = False

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def hidden(self, input_ids, attention_mask):
        """The final LayerNorm's output [B, T, C] and each layer's probabilities."""
        t = input_ids.shape[1]
        key_bias = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * -1e4  # padding keys
        x = self.wte(input_ids) + self.wpe(torch.arange(t, device=input_ids.device))[None]
        probs = []
        for block in self.blocks:
            x, p = block(x, key_bias)
            probs.append(p)
        return self.ln_f(x), probs

    def logits(self, h):
        return h @ self.wte.weight.t() + self.out_bias

    def forward(self, input_ids, attention_mask):
        h, probs = self.hidden(input_ids, attention_mask)
        logits = self.logits(h)
        if self.export_qkv:
            return (logits, *[z for block in self.blocks for z in block.attn.qkv_out])
        return logits, probs


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- data

def encode_file(tok, name):
    """Token ids of each line, [CLS] ... [SEP], cut to the context length."""
    lines = (OUT / name).read_text(encoding="utf-8").splitlines()
    return [ids[: N_CTX - 1] + [SEP] if len(ids) > N_CTX else ids for ids in map(tok.encode, lines)]


def batches(seqs, rng=None):
    """Sequences of similar length batched together (less padding), in a seeded random order."""
    order = sorted(range(len(seqs)), key=lambda i: (len(seqs[i]), i))
    groups, current = [], []
    for i in order:
        if current and len(seqs[i]) * (len(current) + 1) > TOKENS_PER_BATCH:
            groups.append(current)
            current = []
        current.append(i)
    groups.append(current)
    if rng is not None:
        rng.shuffle(groups)
    return groups


def pad(seqs, idx):
    n = max(len(seqs[i]) for i in idx)
    ids = torch.full((len(idx), n), PAD, dtype=torch.long)
    for row, i in enumerate(idx):
        ids[row, : len(seqs[i])] = torch.tensor(seqs[i])
    return ids, (ids != PAD).long()


def mask_tokens(ids, gen, vocab):
    """BERT masking: 15% of ordinary tokens are targets; of those 80% become [MASK], 10% a random
    token, 10% stay. Returns the corrupted ids and the targets (-100 where no loss)."""
    ordinary = ids >= len(SPECIALS)
    chosen = (torch.rand(ids.shape, generator=gen) < 0.15) & ordinary
    targets = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand(ids.shape, generator=gen)
    corrupted = ids.clone()
    corrupted[chosen & (roll < 0.8)] = MASK
    random_ids = torch.randint(len(SPECIALS), vocab, ids.shape, generator=gen)
    swap = chosen & (roll >= 0.8) & (roll < 0.9)
    corrupted[swap] = random_ids[swap]
    return corrupted, targets


def next_token(ids):
    """Inputs and targets for the causal model: predict token i+1 from tokens up to i."""
    targets = ids[:, 1:].clone()
    targets[targets == PAD] = -100
    return ids[:, :-1], targets


def target_loss(model, inputs, mask, targets, reduction="mean"):
    """Cross-entropy at the target positions only: projecting just those rows onto the
    vocabulary (15% of tokens when masking, no padding) saves most of the largest matmul."""
    h, _ = model.hidden(inputs, mask)
    sel = targets != -100
    return nn.functional.cross_entropy(model.logits(h[sel]), targets[sel], reduction=reduction)


def make_batch(kind, seqs, idx, gen, vocab):
    ids, mask = pad(seqs, idx)
    if kind == "causal":
        inputs, targets = next_token(ids)
        return inputs, mask[:, :-1], targets
    inputs, targets = mask_tokens(ids, gen, vocab)
    return inputs, mask, targets


# ---------------------------------------------------------------- evaluation

def evaluate(model, kind, heldout, vocab, train):
    """Held-out loss, and the unigram baseline on exactly the same targets. The masking of the
    held-out set uses its own fixed seed, so every run scores the same positions."""
    gen = torch.Generator().manual_seed(SEED + 1)
    model.eval()
    total, count, all_targets = 0.0, 0, []
    with torch.no_grad():
        for idx in batches(heldout):
            inputs, mask, targets = make_batch(kind, heldout, idx, gen, vocab)
            total += float(target_loss(model, inputs, mask, targets, reduction="sum"))
            count += int((targets != -100).sum())
            all_targets.append(targets.reshape(-1))
    model.train()
    if kind == "causal":
        baseline_train = [ids[1:] for ids in train]  # targets: every token after [CLS], [SEP] included
    else:
        baseline_train = [[i for i in ids if i >= len(SPECIALS)] for ids in train]
    base = unigram_baseline_targets(baseline_train, torch.cat(all_targets), vocab, kind)
    return total / count, base, count


def unigram_baseline_targets(train_targets, heldout_targets, vocab, kind):
    counts = torch.ones(vocab, dtype=torch.float64)
    for ids in train_targets:
        if ids:
            counts.index_add_(0, torch.tensor(ids), torch.ones(len(ids), dtype=torch.float64))
    if kind != "causal":
        counts[:len(SPECIALS)] = 0.0  # masked targets are never special tokens
    logp = (counts / counts.sum()).log()
    t = heldout_targets[heldout_targets != -100]
    return float(-logp[t].mean())


# ---------------------------------------------------------------- training

WARMUP = 50


def lr_at(step, peak):
    """Linear warm-up, then inverse-square-root decay. It does not depend on the planned number
    of steps, so a run stopped by the time limit after k steps equals a run with --steps k."""
    return peak * min((step + 1) / WARMUP, math.sqrt(WARMUP / (step + 1)))


def train(kind, steps, train_seqs, vocab, d_model, max_seconds, lr=3e-3):
    """Trains for `steps` steps, or stops early after max_seconds; returns the model, the wall
    time and the steps taken (the number a re-run passes as --steps to repeat it exactly)."""
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = Transformer(Config(vocab, d_model=d_model, causal=(kind == "causal")))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    order, step, start, running = [], 0, time.time(), None
    while step < steps and time.time() - start < max_seconds:
        if not order:
            order = batches(train_seqs, rng)
        inputs, mask, targets = make_batch(kind, train_seqs, order.pop(), gen, vocab)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, lr)
        loss = target_loss(model, inputs, mask, targets)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running = float(loss) if running is None else 0.98 * running + 0.02 * float(loss)
        step += 1
        if step % 100 == 0 or step == steps:
            print(f"  {kind} step {step}/{steps} loss {running:.3f} ({time.time() - start:.0f} s)", flush=True)
    return model, time.time() - start, step


# ---------------------------------------------------------------- export and metadata

def export(model, path):
    """torch.onnx.export, opset 17, sequence axis dynamic. Constant folding is off so the tied
    embedding stays one initializer (folding would store its transpose a second time)."""
    model.eval()
    model.export_qkv = True
    names = [f"layers.{l}.{z}" for l in range(model.cfg.layers) for z in "qkv"]
    ids = torch.tensor([[CLS, 10, 11, 12, SEP]])
    axes = {"input_ids": {1: "sequence"}, "attention_mask": {1: "sequence"}, "logits": {1: "sequence"}}
    axes.update({n: {2: "sequence"} for n in names})
    torch.onnx.export(model, (ids, torch.ones_like(ids)), str(path), opset_version=17,
                      input_names=["input_ids", "attention_mask"], output_names=["logits", *names],
                      dynamic_axes=axes, do_constant_folding=False)
    model.export_qkv = False
    fix_output_shapes(path, model.cfg)


def fix_output_shapes(path, cfg):
    """The exporter names every output dimension it cannot prove constant (batch, heads, d_head
    come from runtime Shape ops); write the known sizes so the graph declares logits [1, N, V]
    and q/k/v [1, H, N, d_head]."""
    graph = onnx.load(str(path))
    for out in graph.graph.output:
        known = [1, None, cfg.vocab] if out.name == "logits" else [1, cfg.heads, None, cfg.d_model // cfg.heads]
        for dim, size in zip(out.type.tensor_type.shape.dim, known):
            if size is not None:
                dim.dim_value = size
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))


def corpus_summary():
    sources = json.loads((OUT / "sources.json").read_text(encoding="utf-8"))
    return {"sha256": sources["sha256"], "files": sources["files"]}


def corpus_sources():
    """Every corpus source with its package, paths, license and bytes, for models.json."""
    sources = json.loads((OUT / "sources.json").read_text(encoding="utf-8"))
    return {"sha256": sources["sha256"], "files": sources["files"],
            "sources": [s for s in sources["sources"] if s["sentences"]]}


LABELS = {
    "bidirectional": "learned, bidirectional (masked characters), {layers} layers × {heads} heads, trained on Chinese "
                     "message catalogs and manual pages and English messages and fortunes",
    "causal": "learned, causal (next token), {layers} layers × {heads} heads, trained on Chinese message catalogs "
              "and manual pages and English messages and fortunes",
}


def record(kind, model, wall, steps, planned, loss, base, count, onnx_path):
    cfg = model.cfg
    return {
        "label": LABELS[kind].format(layers=cfg.layers, heads=cfg.heads),
        "files": {"model": onnx_path.name, "tokenizer": "tokenizer.json"},
        "objective": "masked-token cross-entropy (15% BERT masking)" if kind == "bidirectional" else "next-token cross-entropy",
        "architecture": {"layers": cfg.layers, "heads": cfg.heads, "d_model": cfg.d_model, "d_head": cfg.d_model // cfg.heads,
                         "d_ff": cfg.d_ff, "n_ctx": cfg.n_ctx, "vocab": cfg.vocab, "causal": cfg.causal,
                         "norm": "pre-LayerNorm", "positions": "learned absolute", "tied_embeddings": True,
                         "parameters": parameter_count(model)},
        "seed": SEED,
        "corpus": corpus_summary(),
        "training": {"steps": steps, "planned_steps": planned, "tokens_per_batch": TOKENS_PER_BATCH, "optimizer": "AdamW",
                     "wall_seconds": round(wall, 1), "threads": torch.get_num_threads(), "torch": torch.__version__},
        "heldout": {"loss_nats": round(loss, 4), "unigram_baseline_nats": round(base, 4), "targets": count,
                    "perplexity": round(math.exp(loss), 2), "unigram_perplexity": round(math.exp(base), 2)},
        "onnx_sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
    }


PLAN = {  # kind -> (steps, d_model)
    "bidirectional": (3600, 64),
    "causal": (2200, 64),
}


def main():
    # Two threads for one model; "--threads 1" when the two models train side by side.
    args = sys.argv[1:]
    threads = 2
    if "--threads" in args:
        at = args.index("--threads")
        threads = int(args[at + 1])
        del args[at:at + 2]
    torch.set_num_threads(threads)
    steps_override = None
    if "--steps" in args:
        at = args.index("--steps")
        steps_override = int(args[at + 1])
        del args[at:at + 2]
    max_seconds = float("inf")
    if "--max-minutes" in args:
        at = args.index("--max-minutes")
        max_seconds = 60 * float(args[at + 1])
        del args[at:at + 2]
    kinds = args or list(PLAN)
    tok = Tokenizer.load()
    vocab = len(tok.vocab_list)
    train_seqs, heldout = encode_file(tok, "train.txt"), encode_file(tok, "heldout.txt")
    print(f"vocab {vocab}, train {len(train_seqs)} lines / {sum(map(len, train_seqs))} tokens, heldout {len(heldout)} lines")
    meta_path = MODELS / "models.json"
    for kind in kinds:
        steps, d_model = PLAN[kind]
        steps = steps_override or steps
        model, wall, taken = train(kind, steps, train_seqs, vocab, d_model, max_seconds)
        if taken < steps:
            print(f"{kind}: stopped after {taken} of {steps} steps (time limit)")
        loss, base, count = evaluate(model, kind, heldout, vocab, train_seqs)
        print(f"{kind}: held-out loss {loss:.4f} nats vs unigram baseline {base:.4f} ({count} targets), {wall:.0f} s")
        torch.save(model.state_dict(), OUT / f"learned-{kind}.pt")
        path = MODELS / f"learned-{kind}.onnx"
        export(model, path)
        # Read again: the other model may have been written meanwhile by a parallel run.
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {"models": {}}
        meta["corpus"] = corpus_sources()
        meta["models"][f"learned-{kind}"] = record(kind, model, wall, taken, steps, loss, base, count, path)
        meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size} bytes) and {meta_path}")


if __name__ == "__main__":
    main()
