"""How the web app spreads sessions over Rasa replicas (the failover itself runs against real
replicas in test_production.py)."""

from __future__ import annotations

from collections import Counter

from bot.web.replicas import Replicas

URLS = ("http://rasa-1:5005", "http://rasa-2:5005", "http://rasa-3:5005")


def test_sessions_spread_evenly_and_each_keeps_its_replica():
    replicas = Replicas(URLS, "token")
    first = {f"s{i}": replicas.order(f"s{i}")[0].name for i in range(3000)}
    assert all(900 <= n <= 1100 for n in Counter(first.values()).values())
    assert all(Replicas(URLS, "token").order(s)[0].name == name for s, name in first.items()), "same in every web replica"


def test_a_down_replica_moves_only_its_own_sessions():
    replicas = Replicas(URLS, "token")
    before = {f"s{i}": replicas.order(f"s{i}")[0].name for i in range(600)}
    replicas.replicas[0].healthy = False
    after = {s: replicas.order(s)[0].name for s in before}
    assert all(after[s] == name for s, name in before.items() if name != "rasa-1")
    assert {after[s] for s, name in before.items() if name == "rasa-1"} == {"rasa-2", "rasa-3"}
    assert all(replicas.order(s)[-1].name == "rasa-1" for s in before), "a down replica is tried last, not never"
