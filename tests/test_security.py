"""Security headers on every response, CORS for /api/*, and the settings that configure them."""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from bot.core import settings
from bot.core.settings import ConfigError
from tests.conftest import web_app

ALLOWED = "https://www.kent.gov.uk"


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """Status and headers, for error statuses too."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    env = {
        "BOT_CORS_ORIGINS": f"{ALLOWED}, https://kent-local-offer.example",
        "BOT_FRAME_ANCESTORS": "'self' https://*.kent.gov.uk",
    }
    with web_app(tmp_path_factory.mktemp("security-var"), **env) as url:
        yield url


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/privacy",
        "/widget.js",
        "/static/widget.css",
        "/govuk/govuk-frontend.min.css",
        "/api/strings",
        "/api/health",
        "/api/nothing",
        "/static/missing.js",
    ],
)
def test_every_response_has_the_security_headers(web, path):
    status, headers = request(web + path)
    assert status in (200, 404, 503)
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self' https://*.kent.gov.uk" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_pages_and_files_have_the_right_types(web):
    assert request(web + "/")[1]["Content-Type"].startswith("text/html")
    assert request(web + "/widget.js")[1]["Content-Type"].startswith("text/javascript")
    assert request(web + "/static/widget.css")[1]["Content-Type"].startswith("text/css")
    assert request(web + "/assets/fonts/bold-b542beb274-v2.woff2")[0] == 200


def test_an_allowed_origin_gets_cors_headers(web):
    status, headers = request(web + "/api/strings", headers={"Origin": ALLOWED})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert headers["Vary"] == "Origin"


def test_another_origin_gets_no_cors_headers(web):
    status, headers = request(web + "/api/strings", headers={"Origin": "https://evil.example"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


def test_cors_is_only_for_the_api(web):
    assert "Access-Control-Allow-Origin" not in request(web + "/", headers={"Origin": ALLOWED})[1]


def test_a_preflight_from_an_allowed_origin_is_answered(web):
    status, headers = request(
        web + "/api/chat",
        "OPTIONS",
        {"Origin": ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert headers["Access-Control-Allow-Headers"] == "Content-Type"


def test_a_preflight_from_another_origin_is_refused(web):
    status, headers = request(
        web + "/api/feedback", "OPTIONS", {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert status == 403 and "Access-Control-Allow-Origin" not in headers


def test_options_on_an_unknown_path_is_404(web):
    assert request(web + "/api/nothing", "OPTIONS", {"Origin": ALLOWED})[0] == 404


def test_strings_for_an_unknown_language_is_400(web):
    assert request(web + "/api/strings?language=xx")[0] == 400


@pytest.mark.parametrize(
    "value,expected",
    [
        ("", ()),
        ("https://www.kent.gov.uk", ("https://www.kent.gov.uk",)),
        ("https://www.kent.gov.uk, http://localhost:8080", ("https://www.kent.gov.uk", "http://localhost:8080")),
    ],
)
def test_cors_origins_setting(monkeypatch, value, expected):
    monkeypatch.setenv("BOT_CORS_ORIGINS", value)
    assert settings.load().cors_origins == expected


@pytest.mark.parametrize(
    "value,mentions",
    [
        ("*", "'*' is not allowed"),
        ("https://www.kent.gov.uk/", "no path"),
        ("www.kent.gov.uk", "not an origin"),
        ("https://www.kent.gov.uk/send", "no path"),
    ],
)
def test_bad_cors_origins_stop_start_up_with_a_message(monkeypatch, value, mentions):
    monkeypatch.setenv("BOT_CORS_ORIGINS", value)
    with pytest.raises(ConfigError, match="BOT_CORS_ORIGINS") as error:
        settings.load()
    assert mentions in str(error.value)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("'self'", ("'self'",)),
        ("self https://*.kent.gov.uk", ("'self'", "https://*.kent.gov.uk")),
        ("'none'", ("'none'",)),
    ],
)
def test_frame_ancestors_setting(monkeypatch, value, expected):
    monkeypatch.setenv("BOT_FRAME_ANCESTORS", value)
    assert settings.load().frame_ancestors == expected


@pytest.mark.parametrize(
    "value,mentions",
    [
        ("", "must not be empty"),
        ("'none' https://www.kent.gov.uk", "cannot be combined"),
        ("'unsafe-inline'", "is not allowed"),
        ("https://www.kent.gov.uk; script-src *", "is not allowed"),
        ("*", "is not allowed"),
    ],
)
def test_bad_frame_ancestors_stop_start_up_with_a_message(monkeypatch, value, mentions):
    monkeypatch.setenv("BOT_FRAME_ANCESTORS", value)
    with pytest.raises(ConfigError, match="BOT_FRAME_ANCESTORS") as error:
        settings.load()
    assert mentions in str(error.value)


@pytest.mark.stack
def test_a_bad_setting_stops_the_web_app_with_the_variable_named(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops.cli", "web"],
        env={"BOT_CORS_ORIGINS": "*", "PATH": "/usr/bin:/bin", "BOT_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "BOT_CORS_ORIGINS" in result.stderr


def test_files_are_revalidated_and_the_api_is_never_cached(web):
    assert request(web + "/widget.js")[1]["Cache-Control"] == "no-cache"
    assert request(web + "/api/strings")[1]["Cache-Control"] == "no-store"
    assert request(web + "/")[1]["Cache-Control"] == "no-store"
