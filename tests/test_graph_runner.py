"""The prediction graph without dask (bot/nlu/graph_runner.py): Rasa's runner's results."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage

from bot.nlu.graph_runner import SequentialGraphRunner

CALLS: list[str] = []


class Step(GraphComponent):
    """Appends its name to a list of messages, as an NLU component adds to each message."""

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: Any, resource: Any, execution_context: Any, **kwargs: Any) -> Step:
        return cls(config["name"])

    def run(self, messages: list[str], extra: list[str] | None = None) -> list[str]:
        CALLS.append(self.name)
        return [*messages, self.name, *(extra or [])]


def node(name: str, **needs: str) -> SchemaNode:
    return SchemaNode(needs=needs, uses=Step, constructor_name="create", fn="run", config={"name": name})


# A chain like Rasa's NLU, and a policy-like node that needs two parents, one of them shared.
SCHEMA = GraphSchema(
    {
        "tokenize": node("tokenize", messages="__message__"),
        "featurize": node("featurize", messages="tokenize"),
        "classify": node("classify", messages="featurize"),
        "domain": node("domain", messages="__domain__"),
        "select": node("select", messages="classify", extra="domain"),
    }
)


def run(runner_class: type[DaskGraphRunner], tmp_path, targets: list[str]) -> tuple[dict[str, Any], list[str]]:
    CALLS.clear()
    runner = runner_class(SCHEMA, LocalModelStorage(tmp_path), ExecutionContext(SCHEMA, "test"))
    return runner.run(inputs={"__message__": ["hello"], "__domain__": ["kent"]}, targets=targets), list(CALLS)


@pytest.mark.parametrize("targets", [["classify"], ["select"], ["classify", "select"], ["domain"]])
def test_the_same_results_as_rasas_own_runner_each_node_once(tmp_path, targets):
    ours, our_calls = run(SequentialGraphRunner, tmp_path / "ours", targets)
    rasas, rasas_calls = run(DaskGraphRunner, tmp_path / "rasa", targets)
    assert ours == rasas
    assert sorted(our_calls) == sorted(rasas_calls) and len(our_calls) == len(set(our_calls))


def test_an_input_named_like_a_node_is_refused(tmp_path):
    runner = SequentialGraphRunner(SCHEMA, LocalModelStorage(tmp_path), ExecutionContext(SCHEMA, "test"))
    with pytest.raises(GraphRunError, match="clashes"):
        runner.run(inputs={"__message__": "tokenize"}, targets=["tokenize"])
