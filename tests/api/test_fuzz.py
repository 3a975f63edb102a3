"""The API, fuzzed from its own OpenAPI schema (schemathesis): no server error, responses as described.

Every operation gets a bounded number of generated requests, as a province officer with a
read-and-write API token — valid and invalid bodies, odd query parameters, unknown ids. A 5xx, or
a response that does not match the schema, fails the test with the request that caused it.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

app = get_wsgi_application()
# Loaded through the application itself, so every request the fuzzer makes goes to it in-process.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
# Generated examples only (the exhaustive "coverage" phase multiplies the run time for little more).
schema.config.phases.coverage.enabled = False


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app, whose end-of-request signal would close the database
    connection holding the test's transaction; Django's test client detaches it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(w):
    from uplift.accounts.services import token_create

    return token_create(actor=w.officer, user=w.officer, name="fuzz", scope="write")[1]


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, token):
    # What we promise: never a server error, and every answer as the schema describes it. (DRF is
    # lenient with some malformed optional parameters — a bad page_size falls back to the default —
    # so "negative data must be rejected" is not among the checks.)
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
