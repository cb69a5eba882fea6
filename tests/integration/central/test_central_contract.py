"""Contract tests from the server's own OpenAPI description (schemathesis), valid and hostile inputs.

Every operation is called with generated data, both conforming and deliberately malformed
(negative mode: wrong types, missing fields, out-of-range numbers, odd strings). The server must
never answer 5xx, must answer with the status codes and bodies it documents, and must reject what
its schema rejects. Examples per operation are bounded so the suite stays within minutes.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi import checks as openapi_checks

from tests.integration.central.harness import Kiosk, Server, new_kiosk_id, service

pytestmark = pytest.mark.integration

OFFICER = ("contract", "contract-pass-1")


@schemathesis.serializer("text/csv")
def _csv(ctx: Any, value: Any) -> bytes:
    return value.encode("utf-8", "replace") if isinstance(value, str) else str(value).encode()


@pytest.fixture(scope="module")
def contract(server: Server, pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    service(pg_url).add_officer(*OFFICER)
    kiosk = Kiosk(tmp_path_factory.mktemp("contract") / "k", new_kiosk_id())
    kiosk.enrol(pg_url, server.url)
    kiosk.submit(3)
    kiosk.sync_once(server.url)
    token = kiosk.token
    kiosk.close()
    return {"token": token}


@pytest.fixture(scope="module")
def api_schema(server: Server, contract: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


# The operations this suite expects; the first test fails if the description grows one we miss.
OPERATIONS = [
    ("POST", "/api/v1/enrol"),
    ("GET", "/api/v1/kiosk"),
    ("POST", "/api/v1/events"),
    ("GET", "/api/v1/changes"),
    ("GET", "/api/v1/office/cases"),
    ("GET", "/api/v1/office/cases/{number}"),
    ("POST", "/api/v1/office/cases/{number}/actions"),
    ("GET", "/api/v1/office/overdue"),
    ("GET", "/api/v1/office/dashboard"),
    ("GET", "/api/v1/office/kiosks"),
    ("POST", "/api/v1/office/bank-files"),
    ("GET", "/api/v1/office/bank-mismatches"),
    ("POST", "/api/v1/office/privacy/access-requests"),
    ("POST", "/api/v1/office/privacy/rectifications"),
    ("GET", "/api/v1/office/privacy/requests"),
    ("GET", "/healthz"),
    ("POST", "/api/v1/queue/events"),
    ("GET", "/api/v1/queue/events"),
    ("POST", "/api/v1/queue/claim"),
]
CHECKS = [
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]


def test_the_description_lists_every_operation(api_schema: Any) -> None:
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "hostile"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_its_contract(
    api_schema: Any, contract: dict[str, Any], server: Server, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    checks = CHECKS
    if path.endswith("/bank-files"):
        # On the wire a text/csv body is any bytes: "hostile" bodies are covered by the bank tests.
        checks = [c for c in CHECKS if c is not openapi_checks.negative_data_rejection]
    if path.startswith("/api/v1/office"):
        basic = base64.b64encode(f"{OFFICER[0]}:{OFFICER[1]}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}"}
    else:
        headers = {"Authorization": f"Bearer {contract['token']}"}

    @given(operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def call(case: Any) -> None:
        header_mode = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
        # A hostile case that broke the headers (no Authorization) is sent as generated.
        sent = {} if header_mode is not None and header_mode.mode is GenerationMode.NEGATIVE else headers
        response = case.call(base_url=server.url, headers=sent, timeout=30)
        assert response.status_code < 500, f"{method} {path}: {response.status_code} {response.text[:300]}"
        case.validate_response(response, checks=checks)

    try:
        call()
    except Unsatisfiable:
        pytest.skip("nothing in this operation to make hostile")
