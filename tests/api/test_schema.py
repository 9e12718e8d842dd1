"""The API against its own OpenAPI schema: schemathesis generates requests for every operation and finds no server
error and no response that breaks the schema. Bounded examples, through the WSGI application."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
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


def test_the_api_keeps_its_schema(api, make_key, dealer, managers):
    CustomerFactory(dealer=dealer, mobile="13800138000")
    assert api.post("/api/v1/complaints/", COMPLAINT, format="json").status_code == 201
    headers = {"Authorization": f"Bearer {make_key(dealer)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        conforms()
