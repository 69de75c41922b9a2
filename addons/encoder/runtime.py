"""Sentence and word-piece embeddings from the ONNX encoder, run by ONNX Runtime.

The forward pass is the graph `make encoder` built (addons/encoder/export.py); this module only
tokenizes, batches, mean-pools over the attention mask and L2-normalises, as sentence-transformers
does for all-MiniLM-L6-v2 and multilingual-e5-small (which also reads "query: " before the
text). Loading takes well under a second and happens once per process
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

from addons.encoder.files import DEFAULT_ENCODER, encoder_spec

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


def load_encoder(name: str = DEFAULT_ENCODER) -> SentenceEncoder:
    """The named encoder (addons/encoder/files.py), loaded once per process."""
    return _load(name)


@functools.lru_cache(maxsize=4)
def _load(name: str) -> SentenceEncoder:
    spec = encoder_spec(name)
    # An 8-bit graph quantises its activations over the whole batch, padding included, so a
    # text's vector would depend on its batch-mates: such an encoder embeds one text at a time,
    # in training as when serving.
    return SentenceEncoder(
        spec.onnx_path(), spec.model_dir(), max_batch=1 if spec.quantized else None
    )


class SentenceEncoder:
    """Tokenizer from the model package, forward pass in an ONNX Runtime session."""

    def __init__(self, graph: Path, model_dir: Path, max_batch: int | None = None) -> None:
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
        self.max_batch = max_batch

        # multilingual-e5-small (addons/encoder/e5_weights.py): its SentencePiece normalisation
        # as a code-point map, and the "query: " the model expects before a text.
        presentation = model_dir / "encoder.json"
        self._prefix: str = (
            json.loads(presentation.read_text())["text_prefix"] if presentation.is_file() else ""
        )
        normalization = model_dir / "normalization.json"
        self._normalization: dict[int, str] | None = (
            {int(cp): text for cp, text in json.loads(normalization.read_text()).items()}
            if normalization.is_file()
            else None
        )

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

    def _prepared(self, text: str) -> str:
        """The text as the model reads it (a code point the map replaces may shift later offsets
        by a character; only the alignment of word pieces to tokens sees that)."""
        if self._normalization is not None:
            text = text.translate(self._normalization)
        return self._prefix + text

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit sentence vectors, shape (len(texts), dim), as sentence-transformers' `encode`."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([e.sentence for e in self.embed(texts)])

    def embed(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Embedding]:
        """Sentence and word-piece vectors for each text; texts of similar length share a batch."""
        encodings = self._tokenizer.encode_batch([self._prepared(t or "") for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        result: list[Embedding | None] = [None] * len(texts)
        batch_size = max(1, min(batch_size, self.max_batch or batch_size))
        skip = len(self._prefix)  # the prefix's pieces are not the text's
        for start in range(0, len(order), batch_size):
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
                keep = [
                    j
                    for j, special in enumerate(enc.special_tokens_mask)
                    if not special and enc.offsets[j][0] >= skip
                ]
                result[i] = Embedding(
                    sentence=pooled[row],
                    pieces=hidden[row, keep],
                    offsets=[(enc.offsets[j][0] - skip, enc.offsets[j][1] - skip) for j in keep],
                )
        return [e for e in result if e is not None]
