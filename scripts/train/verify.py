"""Checks the exported models: onnx.checker, the graph's inputs and outputs, and that the
extension's own ONNX path (onnxruntime-web through the CLI) gives PyTorch's attention.

For each model and each sample text, `node dist/cli.js run --model ... --tokenizer ...` reads
every layer's Softmax; its weights must match the PyTorch checkpoint's probabilities within
TOLERANCE, and its tokens the Python tokenizer's. The largest difference is written to
media/models/models.json. Build the CLI and its onnxruntime worker first if dist/ is missing:

    node scripts/build.mjs cli ortWorker
    /usr/bin/python3 scripts/train/verify.py
"""
import hashlib
import json
import pathlib
import subprocess
import sys

import onnx
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from heads import load, probabilities  # noqa: E402
from train import MODELS, PLAN  # noqa: E402

ROOT = MODELS.parents[1]
TOLERANCE = 1e-4
TEXTS = ["我喜欢吃苹果", "The quick brown fox jumps over the lazy dog.", "如果没有指定文件，则读取标准输入。"]


def check_graph(path, layers, heads, d_head):
    """onnx.checker, then names and (inferred) shapes of the inputs and outputs."""
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    inferred = onnx.shape_inference.infer_shapes(model)

    def dims(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    inputs = {i.name: dims(i) for i in inferred.graph.input}
    outputs = {o.name: dims(o) for o in inferred.graph.output}
    assert list(inputs) == ["input_ids", "attention_mask"], inputs
    expected = ["logits"] + [f"layers.{l}.{z}" for l in range(layers) for z in "qkv"]
    assert list(outputs) == expected, list(outputs)
    for name, shape in outputs.items():
        if name != "logits":
            assert shape[0] == 1 and shape[1] == heads and shape[3] == d_head, (name, shape)
    softmaxes = sum(1 for n in model.graph.node if n.op_type == "Softmax")
    assert softmaxes == layers, softmaxes
    return {"opset": model.opset_import[0].version, "softmax_nodes": softmaxes, "outputs": len(outputs)}


def cli_weights(path, text):
    out = subprocess.run(["node", "dist/cli.js", "run", "--model", str(path), "--text", text,
                          "--tokenizer", str(MODELS / "tokenizer.json"), "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    return result["tokens"], torch.tensor([layer["weights"] for layer in result["layers"]])


def main():
    torch.set_num_threads(2)
    meta_path = MODELS / "models.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for kind in PLAN:
        name = f"learned-{kind}"
        model, tok = load(kind)
        cfg = model.cfg
        path = MODELS / f"{name}.onnx"
        graph = check_graph(path, cfg.layers, cfg.heads, cfg.d_model // cfg.heads)
        worst = 0.0
        for text in TEXTS:
            tokens, weights = cli_weights(path, text)
            ids = tok.encode(text)
            assert [t["id"] for t in tokens] == ids, (tokens, ids)  # the extension tokenizes as training did
            expected = probabilities(model, ids)
            diff = float((weights - expected).abs().max())
            worst = max(worst, diff)
            print(f"{name}: {text!r}: {len(tokens)} tokens, max |onnxruntime-web − PyTorch| = {diff:.2e}")
        assert worst < TOLERANCE, worst
        data = path.read_bytes()
        meta["models"][name]["onnx_bytes"] = len(data)
        meta["models"][name]["onnx_sha256"] = hashlib.sha256(data).hexdigest()
        meta["models"][name]["check"] = {**graph, "onnx_checker": "passed", "texts": TEXTS,
                                         "max_abs_diff_vs_pytorch": float(f"{worst:.3g}"), "tolerance": TOLERANCE,
                                         "engine": "onnxruntime-web (node dist/cli.js run)"}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"all within {TOLERANCE}; wrote checks to {meta_path}")


if __name__ == "__main__":
    main()
