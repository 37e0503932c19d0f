"""Rasa's dialogue policy for an assistant whose every message goes to one action.

What to say is decided in bot/assistant/dialogue.py, from content; Rasa's dialogue part only
has to run that action after each message and then listen. The rules in the training data
(bot/nlu/training.py writes one per intent) say exactly that. RulePolicy followed them by
matching the conversation's featurised history against every rule, twice a message: about a
tenth of the Rasa server's time under load (py-spy, `bot bench`, 20 conversations). This
policy learns the same rules as a table from intent to action and looks the intent up.

Rasa's default intents keep their default actions (`/restart`, `/back`, `/session_start`),
as RulePolicy gives them; an intent no rule names (Rasa's `nlu_fallback` among them when the
table lacks it) gets `fallback_action`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData, confidence_scores_for
from rasa.core.policies.rule_policy import DEFAULT_ACTION_MAPPINGS
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.nlu.training import ACTION  # the action every generated rule names

TABLE_FILE = "reply_policy.json"


class ConflictingRulesError(RasaException):
    """Two rules send the same intent to different actions: the table would have to guess."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class ReplyPolicy(Policy):
    """After a message: the action its intent's rule names. After any action: listen."""

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.RULE_DATA

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY, "fallback_action": ACTION}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        table: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self.table = dict(table or {})

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        table: dict[str, str] = {}
        for tracker in training_trackers:
            for intent, action in _intent_then_action(tracker):
                if table.setdefault(intent, action) != action:
                    raise ConflictingRulesError(f"rules send intent '{intent}' to both '{table[intent]}' and '{action}'")
        self.table = table
        with self._model_storage.write_to(self._resource) as path:
            (Path(path) / TABLE_FILE).write_text(json.dumps(table, sort_keys=True), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ReplyPolicy:
        with model_storage.read_from(resource) as path:
            table = json.loads((Path(path) / TABLE_FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, execution_context, table=table)

    def next_action(self, tracker: DialogueStateTracker) -> str:
        """The action to run now: the message's, or listening once it has been answered."""
        if tracker.latest_action_name != ACTION_LISTEN_NAME or tracker.latest_message is None:
            return ACTION_LISTEN_NAME
        intent = tracker.latest_message.intent.get("name") or ""
        return DEFAULT_ACTION_MAPPINGS.get(intent) or self.table.get(intent) or self.config["fallback_action"]

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self._prediction(confidence_scores_for(self.next_action(tracker), 1.0, domain))


def _intent_then_action(tracker: DialogueStateTracker) -> list[tuple[str, str]]:
    """Each (intent, action) a rule's steps pair: a user message and the action right after it."""
    pairs = []
    intent = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            intent = event.intent_name
        elif isinstance(event, ActionExecuted) and event.action_name not in (ACTION_LISTEN_NAME, RULE_SNIPPET_ACTION_NAME, None):
            if intent is not None:
                pairs.append((intent, event.action_name))
            intent = None
    return pairs
