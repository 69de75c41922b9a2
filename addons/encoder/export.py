"""Builds an ONNX graph of a BERT sentence encoder from the packaged safetensors weights.

Run once at setup time (`make encoder`); ONNX Runtime runs the graph (addons/encoder/runtime.py).
The graph is the BERT forward pass that sentence-transformers runs for all-MiniLM-L6-v2 (embeddings,
`num_hidden_layers` post-norm blocks with exact erf GELU), returning the last hidden layer; pooling
stays in the runtime so it can also hand out word-piece vectors. ONNX Runtime's transformer
optimizer then fuses attention, skip-layer-norm and GELU into its own kernels.

    python -m addons.encoder.export OUT.onnx [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import onnx

OPSET = 17


def build_graph(model_dir: Path) -> onnx.ModelProto:
    """The encoder as an ONNX model: inputs input_ids, attention_mask (int64, [batch, seq])."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"unsupported activation {config['hidden_act']!r}")
    hidden: int = config["hidden_size"]
    heads: int = config["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(config["layer_norm_eps"])
    weights = load_file(str(model_dir / "model.safetensors"))

    initializers: list[onnx.TensorProto] = []
    nodes: list[onnx.NodeProto] = []

    def const(name: str, value: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(value, name))
        return name

    def weight(key: str, transpose: bool = False) -> str:
        value = weights[key].astype(np.float32)
        return const(key, np.ascontiguousarray(value.T) if transpose else value)

    def node(op: str, inputs: list[str], output: str, **attrs: object) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def linear(x: str, prefix: str, out: str) -> str:
        product = node("MatMul", [x, weight(prefix + ".weight", transpose=True)], out + "/matmul")
        return node("Add", [product, weight(prefix + ".bias")], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        scale, bias = weight(prefix + ".weight"), weight(prefix + ".bias")
        return node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=eps)

    # Embeddings: word + position + token type 0, then layer norm.
    words = node("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], "emb/words")
    shape = node("Shape", ["input_ids"], "emb/shape")
    seq_len = node("Gather", [shape, const("one_index", np.array(1, dtype=np.int64))], "emb/len")
    zero, one = (
        const("zero", np.array(0, dtype=np.int64)),
        const("one", np.array(1, dtype=np.int64)),
    )
    positions = node("Range", [zero, seq_len, one], "emb/positions")
    pos_emb = node(
        "Gather", [weight("embeddings.position_embeddings.weight"), positions], "emb/pos"
    )
    token_type = const(
        "token_type_0", weights["embeddings.token_type_embeddings.weight"][0].astype(np.float32)
    )
    summed = node("Add", [node("Add", [words, pos_emb], "emb/add1"), token_type], "emb/add2")
    x = layer_norm(summed, "embeddings.LayerNorm", "emb/out")

    # Padding gets a large negative score, so no real token attends to it (as in HF BERT).
    mask = node("Cast", ["attention_mask"], "mask/float", to=TensorProto.FLOAT)
    inverted = node("Sub", [const("f_one", np.array(1.0, dtype=np.float32)), mask], "mask/inv")
    big = const("f_min", np.array(np.finfo(np.float32).min, dtype=np.float32))
    bias_2d = node("Mul", [inverted, big], "mask/bias2d")
    bias = node(
        "Unsqueeze", [bias_2d, const("axes_12", np.array([1, 2], dtype=np.int64))], "mask/bias"
    )

    split_heads = const("split_heads", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge_heads = const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    sqrt2 = const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    f_one = "f_one"

    for i in range(config["num_hidden_layers"]):
        p, n = f"encoder.layer.{i}.", f"l{i}"

        heads_in = {}
        for name, perm in (("query", [0, 2, 1, 3]), ("key", [0, 2, 3, 1]), ("value", [0, 2, 1, 3])):
            projected = linear(x, f"{p}attention.self.{name}", f"{n}/{name}")
            split = node("Reshape", [projected, split_heads], f"{n}/{name}/split")
            heads_in[name] = node("Transpose", [split], f"{n}/{name}/heads", perm=perm)
        q, k, v = heads_in["query"], heads_in["key"], heads_in["value"]
        scores = node("Mul", [node("MatMul", [q, k], f"{n}/qk"), scale], f"{n}/scaled")
        probs = node("Softmax", [node("Add", [scores, bias], f"{n}/masked")], f"{n}/probs", axis=-1)
        context = node(
            "Transpose", [node("MatMul", [probs, v], f"{n}/ctx")], f"{n}/ctx_t", perm=[0, 2, 1, 3]
        )
        merged = node("Reshape", [context, merge_heads], f"{n}/ctx_merged")
        attention = linear(merged, f"{p}attention.output.dense", f"{n}/attn_out")
        x = layer_norm(
            node("Add", [attention, x], f"{n}/res1"), f"{p}attention.output.LayerNorm", f"{n}/ln1"
        )
        up = linear(x, f"{p}intermediate.dense", f"{n}/up")
        erf = node("Erf", [node("Div", [up, sqrt2], f"{n}/up_scaled")], f"{n}/erf")
        gelu = node(
            "Mul",
            [node("Mul", [up, half], f"{n}/half"), node("Add", [erf, f_one], f"{n}/erf1")],
            f"{n}/gelu",
        )
        down = linear(gelu, f"{p}output.dense", f"{n}/down")
        x = layer_norm(node("Add", [down, x], f"{n}/res2"), f"{p}output.LayerNorm", f"{n}/ln2")

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    dynamic = ["batch", "sequence"]
    graph = helper.make_graph(
        nodes,
        "sentence_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, dynamic),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dynamic),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dynamic, hidden])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def export(model_dir: Path, out: Path, num_heads: int, hidden_size: int) -> None:
    """Writes the graph, fused by ONNX Runtime's transformer optimizer, to `out`."""
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.with_suffix(".raw.onnx")
    onnx.save(build_graph(model_dir), str(raw))
    optimized = optimize_model(
        str(raw), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=0
    )
    optimized.save_model_to_file(str(out))
    raw.unlink()


def main() -> None:
    from addons.encoder.files import packaged_model_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    model_dir = args.model_dir or packaged_model_dir()
    config = json.loads((model_dir / "config.json").read_text())
    export(model_dir, args.out, config["num_attention_heads"], config["hidden_size"])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
