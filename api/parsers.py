"""JSON bodies only, and never larger than `API_MAX_BODY_BYTES` (413), whether or not a length was sent."""

import io

from django.conf import settings
from rest_framework.parsers import JSONParser

from api.exceptions import RequestTooLarge


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and str(length).isdigit() and int(length) > limit:
            raise RequestTooLarge(limit)
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(limit)
        return super().parse(io.BytesIO(body), media_type, parser_context)
