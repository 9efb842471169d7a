"""What the learned models' heads attend to, measured on held-out text.

For each model, layer and head, averaged over the query tokens of the first SAMPLE_LINES
held-out lines (each wrapped [CLS] ... [SEP], as the extension feeds them):

  previous    weight on the token just before the query (queries 1..N-1)
  first       weight on the first token, [CLS] (queries 1..N-1)
  word (en)   weight on the other pieces of the same English word; a word is a piece without
              "##" and the "##" pieces after it (queries in words of two or more pieces)
  word (zh)   weight on the other character of the same Chinese word, where words are the
              two-character words of COMMON_WORDS below found left to right in the text
              (a short hand-written list, not a full segmenter: pairs outside it count as
              two separate words)

For the causal model only earlier keys exist, so "same word" counts only queries that have an
earlier token of their word. Each relation is shown next to what uniform attention over the
visible keys would give, so a number can be judged against chance. Writes media/models/heads.json
and prints a Markdown table, the top head per relation, and those heads on 我喜欢吃苹果.

    /usr/bin/python3 scripts/train/heads.py
"""
import json
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from tokenizer import CLS, SEP, Tokenizer, is_cjk  # noqa: E402
from train import MODELS, OUT, PLAN, Config, Transformer  # noqa: E402

SAMPLE_LINES = 1500
EXAMPLE = "我喜欢吃苹果"
RELATIONS = ("previous", "first", "word_en", "word_zh")

# Two-character words common in the corpus (software messages and manual pages) and in the
# example sentence.
COMMON_WORDS = set("""
文件 目录 选项 命令 用户 系统 程序 输出 输入 显示 设置 使用 如果 指定 默认 参数 错误 无法 可以 没有
名称 格式 信息 数据 时间 模式 进程 服务 打开 创建 删除 支持 设备 密码 网络 配置 版本 字符 内容 当前
执行 运行 读取 写入 操作 路径 链接 标准 文本 列表 行为 类型 大小 地址 数字 目标 变量 函数 返回 结果
情况 之后 之前 所有 其他 一个 这个 需要 允许 包括 每个 中的 存在 是否 失败 成功 无效 对象 打印 第一
记录 区域 语言 环境 安装 软件 更新 检查 请求 连接 主机 端口 分区 磁盘 内存 权限 属性 修改 复制 移动
启动 停止 关闭 窗口 按钮 图像 颜色 字体 键盘 鼠标 时区 日期 消息 邮件 签名 密钥 证书 终端 屏幕 报告
喜欢 苹果 我们 他们 自己 现在 已经 因为 所以 但是 然后 或者 并且 以及 通过 进行 表示 提供 忽略 选择
""".split())


def wordpiece_words(pieces):
    """Word index per piece: an English word is a piece without "##" plus the "##" pieces after
    it; every other piece is its own word. Returns ids usable as equality classes."""
    word, ids = -1, []
    for p in pieces:
        if not p.startswith("##"):
            word += 1
        ids.append(word)
    return ids


def chinese_words(pieces):
    """Word index per piece from COMMON_WORDS, matched greedily left to right; pieces not in a
    listed pair get their own index."""
    ids, word, i = [None] * len(pieces), 0, 0
    while i < len(pieces):
        pair = "".join(pieces[i:i + 2])
        if i + 1 < len(pieces) and len(pair) == 2 and all(map(is_cjk, pair)) and pair in COMMON_WORDS:
            ids[i] = ids[i + 1] = word
            i += 2
        else:
            ids[i] = word
            i += 1
        word += 1
    return ids


def probabilities(model, ids):
    with torch.no_grad():
        _, probs = model.hidden(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))
    return torch.stack([p[0] for p in probs])  # [L, H, N, N]


def relation_sums(probs, pieces, causal):
    """Per relation: (sum over queries of the weight, sum of the uniform expectation, queries)."""
    n = probs.shape[-1]
    visible = torch.tril(torch.ones(n, n)) if causal else torch.ones(n, n)
    uniform = visible / visible.sum(-1, keepdim=True)
    # pieces has [CLS] and [SEP] around the text; they form no words.
    en = [-1] + [w for w in wordpiece_words(pieces)] + [-2]
    zh = [-1] + chinese_words(pieces) + [-2]
    out = {}
    q = torch.arange(1, n)
    prev = torch.zeros(n, n)
    prev[q, q - 1] = 1
    first = torch.zeros(n, n)
    first[q, 0] = 1
    out["previous"], out["first"] = prev, first
    for name, words, multi in (("word_en", en, lambda i: not pieces_is_cjk(pieces, i)), ("word_zh", zh, lambda i: True)):
        m = torch.zeros(n, n)
        for i in range(1, n - 1):
            for j in range(1, n - 1):
                if i != j and words[i] == words[j] and visible[i, j] and multi(i - 1):
                    m[i, j] = 1
        out[name] = m
    sums = {}
    for name, m in out.items():
        rows = m.sum(-1) > 0  # queries that have this relation
        sums[name] = ((probs * m).sum(-1)[..., rows].sum(-1), float((uniform * m).sum(-1)[rows].sum()), int(rows.sum()))
    return sums


def pieces_is_cjk(pieces, i):
    return len(pieces[i]) == 1 and is_cjk(pieces[i])


def measure(model, tok, lines, causal):
    cfg = model.cfg
    totals = {r: [torch.zeros(cfg.layers, cfg.heads), 0.0, 0] for r in RELATIONS}
    for line in lines:
        pieces = tok.pieces(line)[: cfg.n_ctx - 2]
        ids = [CLS] + [tok.vocab[p] for p in pieces] + [SEP]
        for name, (w, u, c) in relation_sums(probabilities(model, ids), pieces, causal).items():
            totals[name][0] += w
            totals[name][1] += u
            totals[name][2] += c
    return {r: {"mean": (w / max(c, 1)).tolist(), "uniform": u / max(c, 1), "queries": c} for r, (w, u, c) in totals.items()}


def example(model, tok, heads):
    pieces = tok.pieces(EXAMPLE)
    ids = [CLS] + [tok.vocab[p] for p in pieces] + [SEP]
    probs = probabilities(model, ids)
    tokens = ["[CLS]"] + pieces + ["[SEP]"]
    at = {t: i for i, t in enumerate(tokens)}
    pairs = [("吃", "苹"), ("吃", "果"), ("苹", "果"), ("果", "苹"), ("欢", "喜"), ("喜", "欢")]
    out = {"tokens": tokens, "heads": {}}
    for rel, (l, h) in heads.items():
        out["heads"][rel] = {"layer": l, "head": h, "weights": [[round(v, 4) for v in row] for row in probs[l, h].tolist()],
                             "pairs": {f"{a}→{b}": round(float(probs[l, h, at[a], at[b]]), 4) for a, b in pairs}}
    return out


def load(kind):
    tok = Tokenizer.load()
    _, d_model = PLAN[kind]
    model = Transformer(Config(len(tok.vocab_list), d_model=d_model, causal=(kind == "causal")))
    model.load_state_dict(torch.load(OUT / f"learned-{kind}.pt"))
    return model.eval(), tok


def table(name, result, layers, heads):
    lines = [f"\n### {name}\n", "| layer.head | previous | first ([CLS]) | same word (en) | same word (zh) |", "|---|---|---|---|---|"]
    for l in range(layers):
        for h in range(heads):
            lines.append(f"| {l}.{h} | " + " | ".join(f"{result[r]['mean'][l][h]:.3f}" for r in RELATIONS) + " |")
    lines.append("| uniform | " + " | ".join(f"{result[r]['uniform']:.3f}" for r in RELATIONS) + " |")
    lines.append("| queries | " + " | ".join(str(result[r]["queries"]) for r in RELATIONS) + " |")
    return "\n".join(lines)


def top_heads(result):
    top = {}
    for r in RELATIONS:
        m = torch.tensor(result[r]["mean"])
        flat = int(m.argmax())
        top[r] = divmod(flat, m.shape[1])
    return top


def main():
    torch.set_num_threads(2)
    lines = (OUT / "heldout.txt").read_text(encoding="utf-8").splitlines()[:SAMPLE_LINES]
    report = {"sample": f"first {SAMPLE_LINES} lines of the held-out set", "relations": {
        "previous": "weight on the token just before the query",
        "first": "weight on the first token ([CLS])",
        "word_en": "weight on the other pieces of the same English word (a piece and the ## pieces after it)",
        "word_zh": "weight on the other character of the same two-character Chinese word, words from a "
                   f"hand-written list of {len(COMMON_WORDS)} common words matched left to right",
    }, "common_words": sorted(COMMON_WORDS), "models": {}}
    for kind in PLAN:
        name = f"learned-{kind}"
        model, tok = load(kind)
        result = measure(model, tok, lines, kind == "causal")
        top = top_heads(result)
        report["models"][name] = {"relations": result, "top": {r: {"layer": l, "head": h, "mean": round(result[r]["mean"][l][h], 4)}
                                                               for r, (l, h) in top.items()},
                                  "example": example(model, tok, top)}
        print(table(name, result, model.cfg.layers, model.cfg.heads))
        print()
        for r, (l, h) in top.items():
            ex = report["models"][name]["example"]["heads"][r]["pairs"]
            print(f"top {r}: {l}.{h} ({result[r]['mean'][l][h]:.3f}, uniform {result[r]['uniform']:.3f}); on {EXAMPLE}: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in ex.items()))
    (MODELS / "heads.json").write_text(json.dumps(report, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {MODELS / 'heads.json'}")


if __name__ == "__main__":
    main()
