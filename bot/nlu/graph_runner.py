"""Rasa's prediction graph, run by plain recursion instead of dask's scheduler.

For each message the Rasa server runs its graph two or three times (understand the message,
then choose each next action). Rasa's DaskGraphRunner works out the smallest graph for the
targets and builds a dask task graph on every run, and dask's synchronous scheduler then
orders and tracks the tasks: under load that bookkeeping was about a tenth of the Rasa
server's event loop (py-spy, `bot bench`, 20 conversations), more than the intent classifier.

Our prediction graph is a chain (converter, tokenizer, featurizers, classifier, fallback,
then the policy), and its nodes are Rasa's own GraphNodes. This runner computes each target's
needs first, each node once, and calls the same nodes with the same inputs in an order the
needs allow, so the results are the same. Training still uses Rasa's own runner.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner


class SequentialGraphRunner(DaskGraphRunner):
    """DaskGraphRunner's nodes and results, without dask."""

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        # Rasa's own check that no input clashes with a node, and its (name, value) placeholders
        graph: dict[str, Any] = dict.fromkeys(self._graph_schema.nodes)
        self._add_inputs_to_graph(inputs, graph)
        results = {name: graph[name] for name in inputs or {}}

        def output(name: str) -> Any:
            if name not in results:
                if name not in self._graph_schema.nodes:
                    raise GraphRunError(f"Nothing in the graph or the inputs is called '{name}'.")
                needs = self._graph_schema.nodes[name].needs.values()
                results[name] = self._instantiated_nodes[name](*(output(need) for need in needs))
            return results[name]

        try:
            return dict(output(target) for target in (targets or self._graph_schema.target_names))
        except RuntimeError as error:  # as DaskGraphRunner reports a failed run
            raise GraphRunError("Error running runner.") from error
