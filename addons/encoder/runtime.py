"""Sentence and word-piece embeddings from the ONNX encoder, run by ONNX Runtime.

The forward pass is the graph `make encoder` built (addons/encoder/export.py); this module only
tokenizes, batches, mean-pools over the attention mask and L2-normalises, as sentence-transformers
does for all-MiniLM-L6-v2. Loading takes well under a second and happens once per process
(`load_encoder`); nothing happens at import time.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from addons.encoder.files import onnx_path, packaged_model_dir

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


class EncoderMissing(FileNotFoundError):
    """The ONNX graph has not been built (`make encoder`)."""


@functools.lru_cache(maxsize=4)
def load_encoder(graph: str | None = None, model_dir: str | None = None) -> SentenceEncoder:
    """The encoder, loaded once per process (defaults: the built graph, the packaged tokenizer)."""
    return SentenceEncoder(
        Path(graph) if graph else onnx_path(),
        Path(model_dir) if model_dir else packaged_model_dir(),
    )


class SentenceEncoder:
    """Tokenizer from the model package, forward pass in an ONNX Runtime session."""

    def __init__(self, graph: Path, model_dir: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if not graph.is_file():
            raise EncoderMissing(f"{graph} not found: build it with `make encoder`")
        config = json.loads((model_dir / "config.json").read_text())
        max_length: int = config["max_position_embeddings"]
        st_config = model_dir / "sentence_bert_config.json"
        if st_config.is_file():
            max_length = min(max_length, json.loads(st_config.read_text())["max_seq_length"])
        self.max_length = max_length
        self.dim: int = config["hidden_size"]

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # the file pads every input to 128; we pad per batch
        self._tokenizer.enable_truncation(max_length=self.max_length)

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # One thread per request by default: Rasa serves several conversations at once, and on
        # a small machine intra-op threads only fight over the same cores.
        options.intra_op_num_threads = int(os.environ.get("ENCODER_THREADS", "1"))
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
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
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            weights = mask.astype(np.float32)[:, :, None]
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
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
