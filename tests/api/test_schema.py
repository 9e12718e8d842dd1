"""The API against its own OpenAPI schema: schemathesis generates requests for every operation and finds no server
error and no response that breaks the schema. Bounded examples, through the WSGI application."""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_endpoints import COMPLAINT
from tests.cac.factories import CustomerFactory

pytestmark = pytest.mark.django_db
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 30  # per operation: the whole run stays well under a minute


@contextmanager
def keep_connection():
    """As Django's test client does: the test's transaction must outlive each request of the WSGI application.
    (Django's test client connects the signal again after each of its own requests.)"""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_api_keeps_its_schema(api, make_key, dealer, managers):
    CustomerFactory(dealer=dealer, mobile="13800138000")
    assert api.post("/api/v1/complaints/", COMPLAINT, format="json").status_code == 201
    headers = {"Authorization": f"Bearer {make_key(dealer)}"}
    with keep_connection():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 8
        for operation in operations:
            _conforms(operation, headers)


def _conforms(operation, headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    def conforms(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    conforms()
