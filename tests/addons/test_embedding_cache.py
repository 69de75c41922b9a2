"""The opt-in embedding cache (addons/encoder/cache.py): the same bytes as the encoder, and a model
trained and parsed with it answers exactly as one without it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from addons.encoder import cache
from addons.encoder.cache import CachingEncoder, EmbeddingStore, featurizing_encoder
from addons.encoder.runtime import Embedding, SentenceEncoder, load_encoder

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "",
    "hi",
    "why is my bill so much higher than last month?",
    "😂🎉 ok",
    "zero\u200bwidth\x00nul",
    "Ünïcödé ĉĥàřš, 漢字",
    "my bill is too high " * 300,
    "hi",
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


@pytest.fixture
def embed_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many texts each call of the real encoder embedded."""
    calls: list[int] = []
    real = SentenceEncoder.embed

    def counting(self: SentenceEncoder, texts: Sequence[str], batch_size: int = 32) -> Any:
        calls.append(len(texts))
        return real(self, texts, batch_size)

    monkeypatch.setattr(SentenceEncoder, "embed", counting)
    return calls


def assert_same_bytes(left: Embedding, right: Embedding) -> None:
    assert left.sentence.dtype == right.sentence.dtype
    assert left.sentence.tobytes() == right.sentence.tobytes()
    assert left.pieces.shape == right.pieces.shape
    assert left.pieces.tobytes() == right.pieces.tobytes()
    assert left.offsets == right.offsets


def test_stored_embeddings_are_the_encoders_bytes(encoder: SentenceEncoder, tmp_path: Path) -> None:
    fresh = encoder.embed(TEXTS)
    EmbeddingStore(tmp_path / "e.sqlite3").put(dict(zip(TEXTS, fresh, strict=True)))
    stored = EmbeddingStore(tmp_path / "e.sqlite3").get(TEXTS)  # a new connection: from disk
    assert set(stored) == set(TEXTS)
    for text, embedding in zip(TEXTS, fresh, strict=True):
        assert_same_bytes(stored[text], embedding)


def test_each_text_is_embedded_once(
    encoder: SentenceEncoder, tmp_path: Path, embed_calls: list[int]
) -> None:
    caching = CachingEncoder(encoder, EmbeddingStore(tmp_path / "e.sqlite3"))
    first = caching.embed(TEXTS, batch_size=3)
    assert embed_calls == [len(set(TEXTS))]  # the repeated "hi" is embedded once
    again = caching.embed(list(reversed(TEXTS)))
    assert embed_calls == [len(set(TEXTS))]
    for left, right in zip(first, reversed(again), strict=True):
        assert_same_bytes(left, right)
    caching.embed(["a text not seen yet", "hi"])
    assert embed_calls == [len(set(TEXTS)), 1]
    assert len(caching.store) == len(set(TEXTS)) + 1


def test_the_cache_is_off_unless_a_folder_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(cache.CACHE_DIR_VARIABLE, raising=False)
    assert featurizing_encoder() is load_encoder()
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    caching = featurizing_encoder()
    assert isinstance(caching, CachingEncoder)
    assert caching.store.path.parent == tmp_path
    assert caching.store.path.name.startswith("embeddings-")


def test_the_store_is_named_by_the_encoders_files(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    for name in ("tokenizer.json", "config.json"):
        (model_dir / name).write_text("{}")
    graph = tmp_path / "graph.onnx"
    graph.write_bytes(b"graph one")
    first = cache.encoder_identity(graph, model_dir)
    assert cache.encoder_identity(graph, model_dir) == first
    graph.write_bytes(b"graph two")
    assert cache.encoder_identity(graph, model_dir) != first
    graph.write_bytes(b"graph one")
    (model_dir / "tokenizer.json").write_text('{"other": 1}')
    assert cache.encoder_identity(graph, model_dir) != first


# A real Rasa model with the project's pipeline, trained and parsed without the cache, with a cold
# cache and with a warm one: every answer (intent, fallback, ranking) must be exactly the same.


@contextlib.contextmanager
def embedding_cache(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setenv("RASA_CACHE_DIRECTORY", "")  # restored afterwards; set per run below
        if folder is None:
            patch.delenv(cache.CACHE_DIR_VARIABLE, raising=False)
        else:
            patch.setenv(cache.CACHE_DIR_VARIABLE, str(folder))
        yield


def train_and_parse(config: Path, data: Path, out: Path, texts: list[str]) -> list[Any]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    # Rasa's own training cache per run, so no run reuses another's featurized data.
    os.environ["RASA_CACHE_DIRECTORY"] = str(out / "rasa-cache")
    with contextlib.redirect_stdout(io.StringIO()):
        model = train_nlu(str(config), str(data), str(out), fixed_model_name="nlu")
    assert model is not None

    async def parse() -> list[Any]:
        agent = Agent.load(model)
        return [await agent.parse_message(text) for text in texts]

    parsed = asyncio.run(parse())
    return [
        (p["intent"]["name"], p["intent"]["confidence"], p.get("intent_ranking")) for p in parsed
    ]


def test_a_model_answers_exactly_the_same_with_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embed_calls: list[int]
) -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config.pop("policies", None)
    config_file = tmp_path / "config.yml"
    config_file.write_text(yaml.safe_dump(config))
    # Training data: the English holdout (a test input here, never the product's training data);
    # parsed: the Slovenian holdout's messages and some odd ones, all unseen by the model.
    data = ROOT / "tests/nlu/holdout.yml"
    unseen = yaml.safe_load((ROOT / "tests/nlu/holdout_sl.yml").read_text())["nlu"]
    messages = [
        line[2:].strip()
        for item in unseen
        for line in item["examples"].splitlines()
        if line.startswith("- ")
    ]
    texts = [*messages[:60], "hi", "😂", "why is my bill so high " * 80]
    folder = tmp_path / "embeddings"

    with embedding_cache(monkeypatch, None):
        plain = train_and_parse(config_file, data, tmp_path / "plain", texts)
    with embedding_cache(monkeypatch, folder):
        cold = train_and_parse(config_file, data, tmp_path / "cold", texts)
    embedded_cold = sum(embed_calls)
    with embedding_cache(monkeypatch, folder):
        warm = train_and_parse(config_file, data, tmp_path / "warm", texts)

    assert embedded_cold > len(texts)
    assert sum(embed_calls) == embedded_cold  # the warm run embedded nothing
    assert cold == plain
    assert warm == plain
    assert len({answer[0] for answer in plain}) > 3  # a model that tells intents apart
    np.testing.assert_array_equal([answer[1] for answer in warm], [answer[1] for answer in plain])
