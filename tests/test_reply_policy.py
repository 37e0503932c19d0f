"""The dialogue policy: the rules' action after a message, listening after an action."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_RESTART_NAME, RULE_SNIPPET_ACTION_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.reply_policy import ConflictingRulesError, ReplyPolicy

DOMAIN = Domain.from_dict({"intents": ["greet", "mediation", "handover"], "actions": ["action_reply", "action_human"]})


def rule(intent: str, action: str) -> TrackerWithCachedStates:
    """A rule as Rasa reads one from rules.yml: the intent, then the action, then listening."""
    events = [
        ActionExecuted(RULE_SNIPPET_ACTION_NAME),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(intent={"name": intent}),
        ActionExecuted(action),
        ActionExecuted(ACTION_LISTEN_NAME),
    ]
    return TrackerWithCachedStates.from_events(f"reply to {intent}", events, domain=DOMAIN, is_rule_tracker=True)


def trained(tmp_path, rules: list[TrackerWithCachedStates]) -> ReplyPolicy:
    """Trained, persisted and loaded again, as the Rasa server loads it from the model."""
    storage, resource = LocalModelStorage(tmp_path), Resource("reply_policy")
    context = ExecutionContext(GraphSchema({}), "test")
    config = ReplyPolicy.get_default_config()
    ReplyPolicy.create(config, storage, resource, context).train(rules, DOMAIN)
    return ReplyPolicy.load(config, storage, resource, context)


def predicted(policy: ReplyPolicy, *events) -> str:
    tracker = DialogueStateTracker.from_events("family", [ActionExecuted(ACTION_LISTEN_NAME), *events])
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    return DOMAIN.action_names_or_texts[prediction.max_confidence_index]


def test_each_message_gets_its_rules_action_and_then_the_assistant_listens(tmp_path):
    policy = trained(tmp_path, [rule("greet", "action_reply"), rule("handover", "action_human")])
    assert policy.table == {"greet": "action_reply", "handover": "action_human"}
    assert predicted(policy, UserUttered("hi", intent={"name": "greet"})) == "action_reply"
    assert predicted(policy, UserUttered("a person please", intent={"name": "handover"})) == "action_human"
    answered = [UserUttered("hi", intent={"name": "greet"}), ActionExecuted("action_reply")]
    assert predicted(policy, *answered) == ACTION_LISTEN_NAME


def test_an_intent_no_rule_names_gets_the_fallback_action_and_defaults_keep_theirs(tmp_path):
    policy = trained(tmp_path, [rule("greet", "action_reply")])
    assert predicted(policy, UserUttered("???", intent={"name": "nlu_fallback", "confidence": 0.1})) == "action_reply"
    assert predicted(policy, UserUttered("/restart", intent={"name": "restart"})) == ACTION_RESTART_NAME


def test_rules_that_disagree_stop_training(tmp_path):
    with pytest.raises(ConflictingRulesError, match="greet"):
        trained(tmp_path, [rule("greet", "action_reply"), rule("greet", "action_human")])
