"""An opt-in on-disk cache of the encoder's embeddings, keyed by encoder identity and text.

The encoder is frozen, so a text's embedding never changes while the graph and tokenizer stay the
same; `make eval` trains eight models on overlapping data and re-embedded every example each time.
With `SENTENCE_EMBEDDING_CACHE` set to a folder (scripts/nlu_quality.py sets it to
`var/nlu-eval/embeddings`), the featurizer looks each text up there first and embeds only the
texts it has not seen. Unset (the server, `rasa train`), nothing changes.

One SQLite file per encoder identity (a hash of the ONNX graph, the tokenizer and the model
config), one row per text holding the exact float32 bytes the encoder returned, so a cached
embedding is bit for bit the one the encoder computes (tests/addons/test_embedding_cache.py).
The file holds training texts: it lives under var/, like the models trained from them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from addons.encoder.files import DEFAULT_ENCODER, encoder_spec
from addons.encoder.runtime import DEFAULT_BATCH_SIZE, Embedding, SentenceEncoder, load_encoder

CACHE_DIR_VARIABLE = "SENTENCE_EMBEDDING_CACHE"
_CHUNK = 1 << 20
_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    text TEXT PRIMARY KEY,
    sentence BLOB NOT NULL,
    pieces BLOB NOT NULL,
    offsets TEXT NOT NULL,
    dtype TEXT NOT NULL
)
"""


def encoder_identity(graph: Path, model_dir: Path, max_batch: int | None = None) -> str:
    """A hash of everything that decides an embedding: the graph, the tokenizer's files, and the
    text's presentation (length limit, prefix, normalisation) where the model has them."""
    digest = hashlib.sha256()
    for path in (graph, model_dir / "tokenizer.json", model_dir / "config.json"):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    for extra in ("sentence_bert_config.json", "encoder.json", "normalization.json"):
        if (model_dir / extra).is_file():
            digest.update((model_dir / extra).read_bytes())
    if max_batch is not None:  # batches of other sizes would give other vectors
        digest.update(f"max_batch={max_batch}".encode())
    return digest.hexdigest()[:24]


class EmbeddingStore:
    """Embeddings of one encoder by text, in a SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def get(self, texts: Sequence[str]) -> dict[str, Embedding]:
        found: dict[str, Embedding] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT * FROM embeddings WHERE text IN ({marks})"  # noqa: S608 - only ?s
            rows = self._db.execute(query, chunk)
            for text, sentence, pieces, offsets, dtype in rows:
                found[text] = _decode(sentence, pieces, offsets, dtype)
        return found

    def put(self, items: dict[str, Embedding]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO embeddings VALUES (?, ?, ?, ?, ?)",
            [(text, *_encode(embedding)) for text, embedding in items.items()],
        )
        self._db.commit()

    def __len__(self) -> int:
        (count,) = self._db.execute("SELECT COUNT(*) FROM embeddings").fetchone()
        return int(count)


def _encode(embedding: Embedding) -> tuple[bytes, bytes, str, str]:
    dtype = embedding.sentence.dtype
    if embedding.pieces.dtype != dtype:
        raise TypeError(f"sentence {dtype} and pieces {embedding.pieces.dtype} differ")
    return (
        np.ascontiguousarray(embedding.sentence).tobytes(),
        np.ascontiguousarray(embedding.pieces).tobytes(),
        json.dumps(embedding.offsets),
        dtype.str,
    )


def _decode(sentence: bytes, pieces: bytes, offsets: str, dtype: str) -> Embedding:
    vector = np.frombuffer(sentence, dtype=np.dtype(dtype)).copy()
    spans = [(int(start), int(end)) for start, end in json.loads(offsets)]
    matrix = np.frombuffer(pieces, dtype=np.dtype(dtype)).reshape(len(spans), vector.shape[0])
    return Embedding(sentence=vector, pieces=matrix.copy(), offsets=spans)


class CachingEncoder:
    """The encoder's `embed`, answering from the store where it can and filling it otherwise."""

    def __init__(self, encoder: SentenceEncoder, store: EmbeddingStore) -> None:
        self.encoder = encoder
        self.store = store
        self.max_length = encoder.max_length
        self.dim = encoder.dim

    def embed(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Embedding]:
        keys = [t or "" for t in texts]
        known = self.store.get(keys)
        missing = [t for t in dict.fromkeys(keys) if t not in known]
        if missing:
            fresh = dict(zip(missing, self.encoder.embed(missing, batch_size), strict=True))
            self.store.put(fresh)
            known.update(fresh)
        return [known[t] for t in keys]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([e.sentence for e in self.embed(texts)])


def caching_encoder(cache_dir: str, name: str = DEFAULT_ENCODER) -> CachingEncoder:
    """The process's encoder with the store of its identity under `cache_dir`."""
    return _caching(cache_dir, name)


@functools.lru_cache(maxsize=4)
def _caching(cache_dir: str, name: str) -> CachingEncoder:
    spec = encoder_spec(name)
    encoder = load_encoder(name)
    identity = encoder_identity(spec.onnx_path(), spec.model_dir(), encoder.max_batch)
    store = EmbeddingStore(Path(cache_dir) / f"embeddings-{identity}.sqlite3")
    return CachingEncoder(encoder, store)


def featurizing_encoder(name: str = DEFAULT_ENCODER) -> SentenceEncoder | CachingEncoder:
    """The caching encoder when `SENTENCE_EMBEDDING_CACHE` names a folder, else the encoder."""
    cache_dir = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
    return caching_encoder(cache_dir, name) if cache_dir else load_encoder(name)
