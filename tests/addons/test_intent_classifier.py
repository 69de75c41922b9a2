"""The intent classifier: logistic regression on sentence features and word TF-IDF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from addons.intent_classifier import EmbeddingIntentClassifier, MissingSentenceFeatures

DIM = 8
EXAMPLES = {
    "ask_balance": ["what do i owe", "my balance please", "how much do i owe you", "balance?"],
    "greet": ["hi", "hello there", "good morning", "hey"],
    "pay_bill": ["i want to pay my bill", "pay now", "how can i pay", "take my payment"],
}


def featurized(text: str, intent: str | None = None) -> Message:
    """A message whose sentence feature is a fixed direction per intent plus a little noise."""
    rng = np.random.default_rng(abs(hash(text)) % 2**32)
    vector = rng.normal(0, 0.05, DIM).astype(np.float32)
    if intent is not None:
        vector[sorted(EXAMPLES).index(intent)] += 1.0
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    message.add_features(Features(vector[np.newaxis, :], "sentence", TEXT, "test"))
    return message


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config: object) -> EmbeddingIntentClassifier:
    resource = Resource("intent_classifier")
    context = ExecutionContext(node_name="intent_classifier", graph_schema=None)  # type: ignore[arg-type]
    classifier = EmbeddingIntentClassifier.create(
        {**EmbeddingIntentClassifier.get_default_config(), **config}, storage, resource, context
    )
    data = TrainingData(
        [featurized(t, intent) for intent, texts in EXAMPLES.items() for t in texts]
    )
    classifier.train(data)
    return classifier


def test_predicts_the_intent_with_a_ranking(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    message = featurized("what's my balance", "ask_balance")
    classifier.process([message])
    assert message.get(INTENT)["name"] == "ask_balance"
    ranking = message.get("intent_ranking")
    assert ranking[0]["name"] == "ask_balance"
    assert sorted(r["name"] for r in ranking) == sorted(EXAMPLES)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_a_persisted_model_loads_and_predicts_the_same(storage: LocalModelStorage) -> None:
    classifier = trained(storage)
    context = ExecutionContext(node_name="intent_classifier", graph_schema=None)  # type: ignore[arg-type]
    loaded = EmbeddingIntentClassifier.load(
        EmbeddingIntentClassifier.get_default_config(),
        storage,
        Resource("intent_classifier"),
        context,
    )
    first, second = featurized("hello", "greet"), featurized("hello", "greet")
    classifier.process([first])
    loaded.process([second])
    assert first.get("intent_ranking") == second.get("intent_ranking")


def test_character_ngrams_can_be_switched_off(storage: LocalModelStorage) -> None:
    classifier = trained(storage, char_ngrams=[])
    message = featurized("balance?", "ask_balance")
    classifier.process([message])
    assert message.get(INTENT)["name"] == "ask_balance"


def test_embedding_weight_gives_the_meaning_more_say_than_the_words(
    storage: LocalModelStorage, tmp_path: Path
) -> None:
    """Words of pay_bill, meaning of greet: the heavier the embedding, the surer the greet."""

    def greet_confidence(classifier: EmbeddingIntentClassifier) -> float:
        message = featurized("i want to pay my bill now", "greet")
        classifier.process([message])
        ranking = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
        return ranking["greet"]

    (tmp_path / "heavy").mkdir()
    light = trained(storage, embedding_weight=0.5)
    heavy = trained(LocalModelStorage(tmp_path / "heavy"), embedding_weight=4.0)
    assert greet_confidence(heavy) > greet_confidence(light)


def test_same_seed_same_model(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = trained(LocalModelStorage(tmp_path / "a"))
    two = trained(LocalModelStorage(tmp_path / "b"))
    a, b = featurized("pay it", "pay_bill"), featurized("pay it", "pay_bill")
    one.process([a])
    two.process([b])
    assert a.get("intent_ranking") == b.get("intent_ranking")


def test_ranking_length_limits_the_ranking(storage: LocalModelStorage) -> None:
    classifier = trained(storage, ranking_length=2)
    message = featurized("hey", "greet")
    classifier.process([message])
    assert len(message.get("intent_ranking")) == 2


def test_a_message_without_sentence_features_is_a_configuration_error(
    storage: LocalModelStorage,
) -> None:
    classifier = trained(storage)
    with pytest.raises(MissingSentenceFeatures):
        classifier.process([Message(data={TEXT: "hello"})])


@pytest.mark.parametrize(
    "config",
    [
        {"C": 0},
        {"C": "ten"},
        {"max_ngram": 0},
        {"ranking_length": True},
        {"embedding_weight": 0},
        {"embedding_weight": -1.0},
        {"embedding_weight": "2"},
        {"embedding_weight": True},
    ],
)
def test_invalid_config_is_rejected(config: dict[str, object]) -> None:
    with pytest.raises(InvalidConfigException):
        EmbeddingIntentClassifier.validate_config(
            {**EmbeddingIntentClassifier.get_default_config(), **config}
        )


def test_column_major_coefficients_give_the_same_probabilities(storage: LocalModelStorage) -> None:
    """The classifier keeps its coefficients column-major (no copy of the matrix per message);
    every probability is the very same float as with scikit-learn's row-major fit."""
    classifier = trained(storage)
    regression = classifier._model["regression"]  # type: ignore[index]
    assert regression.coef_.flags["F_CONTIGUOUS"]
    texts = [t for texts in EXAMPLES.values() for t in texts] + ["pay my balance hello", "?"]
    features = classifier._features([featurized(t) for t in texts])
    column_major = regression.predict_proba(features)
    regression.coef_ = np.ascontiguousarray(regression.coef_)
    row_major = regression.predict_proba(features)
    assert np.array_equal(column_major, row_major)
