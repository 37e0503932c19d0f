"""Configuration from the environment: production URLs, replicas, limits and secrets, checked at
start with messages that name the variable and never repeat a password."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from bot.core import settings
from bot.core.settings import ConfigError
from bot.nlu import endpoints

PRODUCTION = (
    "TRACKER_STORE_URL",
    "APP_DATABASE_URL",
    "BOT_DATABASE_URL",
    "LOCK_STORE_URL",
    "BOT_RASA_URLS",
    "BOT_ACTION_URL",
    "BOT_RASA_REPLICAS",
    "BOT_RASA_TOKEN",
    "BOT_RATE_LIMIT_STORAGE_URL",
    "BOT_REDIS_PREFIX",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Each test starts from the defaults, whatever the machine running the tests has set."""
    for name in PRODUCTION:
        monkeypatch.delenv(name, raising=False)


def load(monkeypatch, **variables: str) -> settings.Settings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return settings.load()


def test_defaults_are_one_host_sqlite_and_in_memory_locks(monkeypatch, tmp_path):
    config = load(monkeypatch, BOT_VAR_DIR=str(tmp_path))
    assert config.tracker_store_url == f"sqlite:///{tmp_path / 'rasa-tracker.db'}"
    assert config.database_url == f"sqlite:///{tmp_path / 'app.db'}"
    assert (config.lock_store_url, config.rate_limit_storage_url) == (None, "memory://")
    assert config.rasa_urls == ("http://127.0.0.1:5005",) and config.rasa_token is None
    assert endpoints.endpoints(config)["lock_store"] == {"type": "in_memory"}


def test_production_urls(monkeypatch):
    config = load(
        monkeypatch,
        TRACKER_STORE_URL="postgres://rasa:s3cret@db:5432/tracker",
        APP_DATABASE_URL="postgresql://app:pw@db/app",
        LOCK_STORE_URL="redis://:p%40ss@redis:6380/2",
        BOT_RASA_REPLICAS="3",
        BOT_RASA_PORT="6000",
    )
    assert config.tracker_store_url == "postgresql://rasa:s3cret@db:5432/tracker"
    assert config.rasa_urls == ("http://127.0.0.1:6000", "http://127.0.0.1:6001", "http://127.0.0.1:6002")
    assert config.rate_limit_storage_url == "redis://:p%40ss@redis:6380/2", "limits are shared through the lock store's Redis"


def test_the_old_database_variable_still_works(monkeypatch):
    assert load(monkeypatch, BOT_DATABASE_URL="postgresql://h/app").database_url == "postgresql://h/app"
    with pytest.raises(ConfigError, match="both set, to different databases"):
        load(monkeypatch, APP_DATABASE_URL="postgresql://h/other")
    assert load(monkeypatch, APP_DATABASE_URL="postgres://h/app").database_url == "postgresql://h/app"


@pytest.mark.parametrize(
    "variables,message",
    [
        (
            {"TRACKER_STORE_URL": "mysql://root:hunter2@db/rasa"},
            "TRACKER_STORE_URL must start with sqlite:/// or postgresql://, not mysql://",
        ),
        ({"APP_DATABASE_URL": "postgresql://user:hunter2@db"}, "APP_DATABASE_URL must name the database"),
        ({"APP_DATABASE_URL": "not a url"}, "APP_DATABASE_URL must be a URL such as"),
        ({"LOCK_STORE_URL": "http://:hunter2@redis:6379"}, "LOCK_STORE_URL must start with redis:// or rediss://"),
        ({"LOCK_STORE_URL": "redis://:hunter2@redis:6379/cache"}, "must end with a database number"),
        ({"LOCK_STORE_URL": "redis://:hunter2@:6379/0"}, "must name the Redis host"),
        ({"BOT_RASA_REPLICAS": "2"}, "LOCK_STORE_URL must name a Redis server"),
        ({"BOT_RASA_REPLICAS": "0"}, "BOT_RASA_REPLICAS must be a whole number from 1 to 16"),
        ({"BOT_RATE_LIMIT_IP": "lots"}, "BOT_RATE_LIMIT_IP must be limits such as '30/minute'"),
        ({"BOT_RATE_LIMIT_SESSION": "0/minute"}, "at least 1 request"),
        ({"BOT_TRUSTED_PROXIES": "10.0.0.0/8,proxy"}, "'proxy' is not an IP address or network"),
        ({"BOT_RASA_URLS": "rasa-1:5005"}, "must start with http:// or https://"),
        ({"BOT_ACTION_URL": "http://a:5055,http://b:5055"}, "BOT_ACTION_URL must be one URL"),
        ({"BOT_RASA_TOKEN": "-short"}, "BOT_RASA_TOKEN must be at least 16"),
        ({"BOT_RASA_TOKEN": "spaces are not allowed here"}, "BOT_RASA_TOKEN must be at least 16"),
        ({"BOT_SMTP_USER": "relay", "BOT_SMTP_PASSWORD": ""}, "BOT_SMTP_USER is set but BOT_SMTP_PASSWORD is not"),
        ({"BOT_SMTP_STARTTLS": "maybe"}, "BOT_SMTP_STARTTLS must be true or false"),
        ({"BOT_REDIS_PREFIX": "kent:send"}, "BOT_REDIS_PREFIX must be letters and digits only"),
        ({"BOT_LOCK_LIFETIME_SECONDS": "1"}, "BOT_LOCK_LIFETIME_SECONDS must be a whole number from 2 to 600"),
    ],
)
def test_a_bad_value_stops_start_up_naming_it_and_never_the_password(monkeypatch, variables, message):
    with pytest.raises(ConfigError) as error:
        load(monkeypatch, **variables)
    assert message in str(error.value)
    assert "hunter2" not in str(error.value)


@pytest.mark.stack
def test_the_command_line_reports_a_bad_setting_without_a_traceback():
    env = {**{k: v for k, v in os.environ.items() if k not in PRODUCTION}, "LOCK_STORE_URL": "memcached://cache:11211"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "serve", "--rasa-replicas", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "configuration error: LOCK_STORE_URL must start with redis://" in result.stderr


@pytest.mark.stack
def test_serve_with_replicas_needs_a_lock_store():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "serve", "--rasa-replicas", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "LOCK_STORE_URL must name a Redis server" in result.stderr


def test_the_endpoints_file_names_secrets_but_never_holds_them(monkeypatch, tmp_path):
    config = load(
        monkeypatch,
        BOT_VAR_DIR=str(tmp_path),
        TRACKER_STORE_URL="postgresql://rasa:hunter2@db/tracker",
        LOCK_STORE_URL="rediss://locks:hunter2@redis:6380/3",
        BOT_REDIS_PREFIX="kent1",
        BOT_ACTION_URL="http://actions:5055",
        BOT_LOCK_LIFETIME_SECONDS="25",
    )
    path = endpoints.write(config)
    written = path.read_text()
    assert "hunter2" not in written
    assert yaml.safe_load(written) == {
        "action_endpoint": {"url": "http://actions:5055/webhook"},
        "tracker_store": {"type": "bot.nlu.tracker_store.CachedSQLTrackerStore", "url": "${TRACKER_STORE_URL}"},
        "lock_store": {
            "type": "bot.nlu.lock_store.ThreadedRedisLockStore",
            "url": "redis",
            "port": 6380,
            "db": 3,
            "use_ssl": True,
            "key_prefix": "kent1",
            "username": "locks",
            "password": "${BOT_LOCK_STORE_PASSWORD}",
        },
    }
    assert endpoints.rasa_environment(config) == {
        "TRACKER_STORE_URL": "postgresql://rasa:hunter2@db/tracker",
        "TICKET_LOCK_LIFETIME": "25",
        "BOT_LOCK_STORE_PASSWORD": "hunter2",
    }


def test_rasa_reads_the_endpoints_file_with_the_values_from_its_environment(monkeypatch, tmp_path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    from bot.nlu.lock_store import ThreadedRedisLockStore

    config = load(monkeypatch, BOT_VAR_DIR=str(tmp_path), LOCK_STORE_URL="redis://:hunter2@127.0.0.1:6379/4")
    path = endpoints.write(config)
    for name, value in endpoints.rasa_environment(config).items():
        monkeypatch.setenv(name, value)
    assert read_endpoint_config(str(path), "tracker_store").url == config.tracker_store_url
    lock = read_endpoint_config(str(path), "lock_store")
    assert (lock.url, lock.kwargs["password"], lock.kwargs["db"]) == ("127.0.0.1", "hunter2", 4)
    store = LockStore.create(lock)  # as Rasa builds it
    assert isinstance(store, ThreadedRedisLockStore) and store.key_prefix == "kentsend:lock:"
    assert (
        store.red.connection_pool.connection_kwargs | {"password": "hunter2", "db": 4}
        == store.red.connection_pool.connection_kwargs
    )


def test_child_processes_get_exactly_these_settings(monkeypatch, tmp_path):
    from bot.ops.stack import child_env

    monkeypatch.setenv("BOT_DATABASE_URL", "postgresql://h/app")
    config = load(monkeypatch, LOCK_STORE_URL="redis://127.0.0.1:6379/0", BOT_RATE_LIMIT_IP="7/minute")
    child = config.with_replicas(2).isolated(tmp_path)
    env = child_env(child, "0123456789abcdef")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BOT_DATABASE_URL")
    assert "BOT_DATABASE_URL" not in env
    again = settings.load()
    assert again.rasa_urls == child.rasa_urls and len(again.rasa_urls) == 2
    assert (again.database_url, again.rate_limit_ip, again.lock_store_url) == (
        "postgresql://h/app",
        child.rate_limit_ip,
        "redis://127.0.0.1:6379/0",
    )
    assert again.rasa_token == "0123456789abcdef"


def test_one_table_reads_every_setting_and_passes_it_on(monkeypatch, tmp_path):
    """Issue 15: TABLE is the one list of settings: each field once, and what a child process is
    given reads back as the same settings, whatever was set."""
    import dataclasses

    assert sorted(s.field for s in settings.TABLE) == sorted(f.name for f in dataclasses.fields(settings.Settings))
    config = load(
        monkeypatch,
        BOT_VAR_DIR=str(tmp_path),
        BOT_SMTP_STARTTLS="yes",
        BOT_SMTP_USER="mailer",
        BOT_SMTP_PASSWORD="pw",
        BOT_TRUSTED_PROXIES="10.0.0.0/8,192.168.1.1",
        BOT_FRAME_ANCESTORS="https://*.kent.gov.uk self",
        BOT_CORS_ORIGINS="https://www.kent.gov.uk",
        BOT_LANGUAGES="en,pl",
        BOT_EMAIL_RETRY_SECONDS="2.5",
        BOT_RATE_LIMIT_IP="7/minute",
    )
    for name, value in config.environment().items():
        monkeypatch.setenv(name, value)
    again = settings.load()
    assert again == dataclasses.replace(config, remote_rasa=config.rasa_urls, remote_actions=config.action_url)
