"""The OpenAPI description of /api/*, and fuzzing against it: generated requests, valid and
invalid, sent to the running production-shaped assistant (PostgreSQL, Redis, two replicas).

No request may get a 5xx, and every response must match the description: status code,
content type, headers and body. The number of examples is bounded so this takes about
a minute; hypothesis keeps no database between runs.
"""

from __future__ import annotations

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.core.settings import Settings
from bot.web.app import create_app
from bot.web.openapi import SPEC
from tests.conftest import get

CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)
POSITIVE, NEGATIVE = DataGenerationMethod.positive, DataGenerationMethod.negative
# Invalid input only where there is input: the GET operations take none.
RUNS = {
    ("chat", POSITIVE): 300,
    ("chat", NEGATIVE): 300,
    ("callback", POSITIVE): 300,
    ("callback", NEGATIVE): 300,
    ("requestStatus", POSITIVE): 50,
    ("requestStatus", NEGATIVE): 50,
    ("health", POSITIVE): 5,
    ("openapi", POSITIVE): 5,
}


def test_the_description_covers_exactly_the_api_routes(config: Settings, tmp_path):
    app = create_app(config.isolated(tmp_path), "token")
    routes = {
        (r.method.lower(), r.resource.canonical)
        for r in app.router.routes()
        if r.resource is not None and r.resource.canonical.startswith("/api/") and r.method != "HEAD"
    }
    spec = yaml.safe_load(SPEC.read_text())
    assert routes == {(method, path) for path, item in spec["paths"].items() for method in item}


def test_the_served_description_lists_the_configured_languages(production, config):
    status, spec = get(f"{production.url}/api/openapi.json")
    assert status == 200 and spec["openapi"].startswith("3.0")
    assert spec["components"]["schemas"]["ChatRequest"]["properties"]["language"]["enum"] == list(config.languages)


@pytest.mark.parametrize("operation_id,method", RUNS, ids=[f"{o}-{m.name}" for o, m in RUNS])
def test_generated_requests_never_get_a_server_error(production, operation_id, method):
    schema = schemathesis.from_uri(
        f"{production.url}/api/openapi.json", base_url=production.url, operation_id=operation_id, data_generation_methods=[method]
    )
    [operation] = [result.ok() for result in schema.get_all_operations()]

    @settings(
        max_examples=RUNS[operation_id, method],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(data_generation_method=method))
    def fuzz(case: schemathesis.Case) -> None:
        case.validate_response(case.call(timeout=60), checks=CHECKS)

    fuzz()
