from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from cac.cti.lines import cti_line_create


@pytest.fixture
def line_and_token(dealer):
    return cti_line_create(dealer=dealer, number="020-8888 0000", name="服务热线", blocked_numbers="13900000000\n")


@pytest.fixture
def line(line_and_token):
    return line_and_token[0]


@pytest.fixture
def pbx(line_and_token):
    """Posts events as a PBX script does: form-encoded by default, JSON with `json=True`."""
    token = line_and_token[1]
    client = APIClient()

    def post(json: bool = False, token: str = token, **fields):
        url = f"/api/v1/cti/{token}/"
        if json:
            return client.post(url, fields, format="json")
        return client.post(url, urlencode(fields, doseq=True), content_type="application/x-www-form-urlencoded")

    return post
