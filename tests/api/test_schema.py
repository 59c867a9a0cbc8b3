"""Schemathesis against the API's own OpenAPI description: requests generated from the schema,
sent with an editor's write token to a plan that exists, get no 5xx and answers that match the
schema. Derandomized, a modest number of examples per operation, so it runs in `make test`."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jalon.api.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Items of each kind the generated requests are pointed at, beside the random ones (mostly 404):
# a text, a single choice, a maturity level, a list, a multiple choice.
ITEMS = ["competences", "orientation", "maturity_data", "actors", "actor_types"]


@pytest.fixture
def editor_world(world, tokens):
    """The WSGI application closes the database connection after each request, which would
    end the test's transaction; Django's test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {**world, "token": tokens["editor", "write"]}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@schema.given(data=st.data())
@hypothesis.settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_the_api_answers_every_generated_request_without_a_5xx_and_as_described(
    case, data, editor_world
):
    parameters = case.path_parameters or {}
    # Most requests name the plan and municipality of the fixture, so that they reach the
    # handlers; some keep their generated ids, for the 404s.
    if "plan_id" in parameters and data.draw(st.booleans()):
        parameters["plan_id"] = editor_world["plan"]
    if "organisation_id" in parameters and data.draw(st.booleans()):
        parameters["organisation_id"] = editor_world["org"]
    if "item_id" in parameters and data.draw(st.booleans()):
        parameters["item_id"] = data.draw(st.sampled_from(ITEMS))
    if "uid" in parameters and data.draw(st.booleans()):
        parameters["uid"] = editor_world["record"]
    if "format_code" in parameters and data.draw(st.booleans()):
        parameters["format_code"] = data.draw(st.sampled_from(["json", "csv", "xlsx"]))
    case.call_and_validate(
        headers={"Authorization": f"Bearer {editor_world['token']}", "Accept-Encoding": "identity"},
        checks=CHECKS,
    )
