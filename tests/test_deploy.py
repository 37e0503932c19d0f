"""compose.yml and the Dockerfile cannot run here (no Docker), so they are checked as data:
every service's settings load without a configuration error, and the services name each
other the way the settings expect. The same topology runs as processes in test_production.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from bot.core import settings
from bot.core.settings import ROOT
from bot.ops.cli import parser

COMPOSE = yaml.safe_load((ROOT / "compose.yml").read_text())
SERVICES = COMPOSE["services"]
BOT_SERVICES = [name for name, service in SERVICES.items() if service.get("image", "").startswith("kent-send-assistant")]
SECRETS = {
    "RASA_DB_PASSWORD": "rasa-pw",
    "APP_DB_PASSWORD": "app-pw",
    "BOT_RASA_TOKEN": "0123456789abcdef0123",
    "BOT_EMAIL_FROM": "send-assistant@kent.gov.uk",
    "BOT_STAFF_EMAIL": "send-team@kent.gov.uk",
}


def interpolate(value: str) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, with test values for the secrets."""

    def one(match: re.Match) -> str:
        name, rule, fallback = match.group(1), match.group(2) or "", match.group(3) or ""
        return SECRETS.get(name, fallback if rule == ":-" else "")

    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, value)


@pytest.mark.parametrize("name", BOT_SERVICES)
def test_each_service_s_settings_load(monkeypatch, tmp_path, name):
    for variable in ("BOT_DATABASE_URL", "BOT_RASA_REPLICAS"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in SERVICES[name]["environment"].items():
        monkeypatch.setenv(variable, interpolate(str(value)))
    monkeypatch.setenv("BOT_VAR_DIR", str(tmp_path))
    loaded = settings.load()
    assert loaded.tracker_store_url.startswith("postgresql://") and loaded.database_url.startswith("postgresql://")
    assert loaded.lock_store_url == "redis://redis:6379/0" and loaded.rate_limit_storage_url == loaded.lock_store_url
    assert loaded.rasa_token == SECRETS["BOT_RASA_TOKEN"]


def test_the_web_app_names_every_rasa_service_and_the_action_server():
    web = SERVICES["web"]["environment"]
    rasa = [n for n in BOT_SERVICES if SERVICES[n]["command"][:2] == ["bot", "rasa"]]
    assert len(rasa) >= 2
    urls = web["BOT_RASA_URLS"].split(",")
    assert [urlsplit(u).hostname for u in urls] == rasa
    for url, name in zip(urls, rasa):
        assert str(urlsplit(url).port) == SERVICES[name]["command"][SERVICES[name]["command"].index("--port") + 1]
    assert urlsplit(web["BOT_ACTION_URL"]).hostname == "actions"
    assert set(rasa) | {"actions"} <= set(SERVICES["web"]["depends_on"])


def test_the_commands_exist():
    for name in BOT_SERVICES:
        command = SERVICES[name]["command"]
        if command[0] == "bot":
            parser().parse_args(command[1:])
    assert SERVICES["actions"]["command"][:3] == ["python", "-m", "rasa_sdk"]
    cmd = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD"))
    assert json.loads(cmd.removeprefix("CMD")) == ["bot", "web"]


def test_postgres_creates_the_databases_and_logins_the_urls_use():
    init = (ROOT / "deploy" / "postgres" / "init.sh").read_text()
    for variable in ("TRACKER_STORE_URL", "APP_DATABASE_URL"):
        url = urlsplit(interpolate(SERVICES["web"]["environment"][variable]))
        assert f"CREATE ROLE {url.username} LOGIN" in init
        assert f"CREATE DATABASE {url.path.strip('/')} OWNER {url.username}" in init
    assert Path(ROOT / "deploy" / "production.env.example").exists()
