from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.encoder.runtime import Embedding, SentenceEncoder, load_encoder
from addons.sentence_embeddings import align_to_tokens
from tests.addons.featurizing import featurizer, tokenized

DIM = 384


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_encoder_is_loaded_once_per_process(encoder: SentenceEncoder) -> None:
    assert load_encoder() is encoder


def test_reproduces_the_published_similarities(encoder: SentenceEncoder) -> None:
    # The similarity matrix sentence-transformers' documentation prints for all-MiniLM-L6-v2:
    # matching it checks tokenizer, weights, encoder, pooling and normalisation together.
    vectors = encoder.encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    expected = np.array([[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]])
    np.testing.assert_allclose(vectors @ vectors.T, expected, atol=1e-3)


def test_sentence_vectors_have_unit_length(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["what's my balance", "hi", "explain my October bill please"])
    assert vectors.shape == (3, DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_closer_than_unrelated_sentences(encoder: SentenceEncoder) -> None:
    owe, balance, rain, pizza = encoder.encode(
        [
            "how much do I owe you",
            "what is my outstanding balance",
            "will it rain tomorrow",
            "give me a recipe for pizza",
        ]
    )
    assert cosine(owe, balance) > 0.4
    assert cosine(owe, balance) > cosine(owe, rain) + 0.3
    assert cosine(owe, balance) > cosine(balance, pizza) + 0.3


def test_output_is_deterministic_and_independent_of_batching(encoder: SentenceEncoder) -> None:
    texts = ["hi", "why is my bill so much higher than last month?", "", "cancel my contract"]
    together = encoder.encode(texts)
    np.testing.assert_array_equal(together, encoder.encode(texts))
    alone = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    pairs = [e.sentence for e in encoder.embed(texts, batch_size=2)]
    np.testing.assert_allclose(together, np.stack(pairs), atol=1e-5)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😂🎉",
        "zero\u200bwidth\x00nul\u202eright-to-left",
        "Ünïcödé ĉĥàřš, 漢字 and ﬁ ligatures",
        "e\u0301\u0301\u0301",
        "\ufeff\ufffd",
    ],
)
def test_odd_text_gives_a_finite_unit_vector(encoder: SentenceEncoder, text: str) -> None:
    (embedding,) = encoder.embed([text])
    assert embedding.sentence.shape == (DIM,)
    assert np.isfinite(embedding.sentence).all()
    assert np.linalg.norm(embedding.sentence) == pytest.approx(1.0, abs=1e-5)
    assert embedding.pieces.shape == (len(embedding.offsets), DIM)


def test_long_text_is_truncated_to_the_model_length(encoder: SentenceEncoder) -> None:
    assert encoder.max_length == 256
    (embedding,) = encoder.embed(["my bill is too high " * 300])
    assert embedding.pieces.shape == (encoder.max_length - 2, DIM)  # [CLS] and [SEP] not kept
    assert np.linalg.norm(embedding.sentence) == pytest.approx(1.0, abs=1e-5)


def test_word_pieces_keep_their_place_in_the_text(encoder: SentenceEncoder) -> None:
    text = "Explain the 4.50 roaming charge"
    (embedding,) = encoder.embed([text])
    pieces = [text[start:end] for start, end in embedding.offsets]
    assert "".join(pieces) == text.replace(" ", "")


def test_features_have_the_shapes_diet_expects() -> None:
    message = tokenized("why is my September bill higher?")
    featurizer().process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is not None
    assert sentence is not None
    assert sequence.features.shape == (6, DIM)  # one row per whitespace token
    assert sentence.features.shape == (1, DIM)
    assert {f.origin for f in message.features} == {"sentence_embeddings"}


def test_training_data_and_single_messages_get_the_same_features() -> None:
    texts = ["what do I owe", "talk to a human please", "😂", "when is the bill due?"]
    data = TrainingData([tokenized(text) for text in texts])
    featurizer(batch_size=3).process_training_data(data)
    for text, example in zip(texts, data.training_examples, strict=True):
        single = tokenized(text)
        featurizer().process([single])
        for batched, alone in zip(
            example.get_dense_features(TEXT), single.get_dense_features(TEXT), strict=True
        ):
            assert batched is not None
            assert alone is not None
            np.testing.assert_allclose(batched.features, alone.features, atol=1e-5)


def test_messages_without_text_are_left_alone() -> None:
    message = Message(data={"intent": "greet"})
    featurizer().process([message])
    assert message.get_dense_features(TEXT) == (None, None)


def test_tokens_average_the_word_pieces_inside_them() -> None:
    pieces = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]], dtype=np.float32)
    embedding = Embedding(
        sentence=np.array([1.0, 0.0], dtype=np.float32),
        pieces=pieces,
        offsets=[(0, 3), (3, 5), (6, 9)],
    )
    message = tokenized("abcde fgh ijk")
    rows = align_to_tokens(embedding, message.get("text_tokens"))
    np.testing.assert_allclose(rows, [[0.5, 0.5], [2.0, 2.0], [0.0, 0.0]])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, None])
def test_invalid_batch_size_is_rejected(batch_size: object) -> None:
    with pytest.raises(InvalidConfigException):
        featurizer(batch_size=batch_size)
