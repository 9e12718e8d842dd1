"""JSON (and, for the phone system, form-encoded) bodies, never larger than `API_MAX_BODY_BYTES` (413), whether or not a length was sent."""

import io

from django.conf import settings
from rest_framework.parsers import FormParser, JSONParser

from api.exceptions import RequestTooLarge


def _limited_body(stream, parser_context) -> bytes:
    limit = settings.API_MAX_BODY_BYTES
    request = (parser_context or {}).get("request")
    length = request.META.get("CONTENT_LENGTH") if request is not None else None
    if length and str(length).isdigit() and int(length) > limit:
        raise RequestTooLarge(limit)
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise RequestTooLarge(limit)
    return body


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return super().parse(io.BytesIO(_limited_body(stream, parser_context)), media_type, parser_context)


class LimitedFormParser(FormParser):
    """Form-encoded bodies, as many PBX scripts post them, under the same limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        return super().parse(io.BytesIO(_limited_body(stream, parser_context)), media_type, parser_context)
