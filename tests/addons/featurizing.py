"""Messages and featurizers for the sentence-embedding tests."""

from __future__ import annotations

from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from addons.sentence_embeddings import SentenceEmbeddingFeaturizer


def tokenized(text: str) -> Message:
    """A message with the pipeline's whitespace tokens, as the featurizer receives it."""
    message = Message(data={TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def featurizer(**config: object) -> SentenceEmbeddingFeaturizer:
    """The featurizer with its defaults and these settings."""
    return SentenceEmbeddingFeaturizer(
        "sentence_embeddings", {**SentenceEmbeddingFeaturizer.get_default_config(), **config}
    )
