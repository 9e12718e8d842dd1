"""Request logs never carry a whole phone number.

The phone box (`/customers/lookup/?q=…`, as you type), Enter in it (`/customers/find/?q=…`), the new-caller page
(`/calls/new/?phone=…`) and the lists' filters keep their numbers in the query string: that is what lets Enter,
the back button, a reload and a link work. So instead of moving them to POST, every log line is masked on its way
out: a number being typed (`q`, `phone`, `mobile`) keeps its first 3 digits only, a whole one its first 3 and last 4
(`138****8000`), and whole numbers anywhere else in a message, query string or not, are masked the same way.

Nor do they carry a secret that is a part of a URL: a PBX posts to `/api/v1/cti/<token>/` and a gateway its delivery
receipts to `/sms/receipts/<vendor>/<token>/`, where the token is all the authentication there is; anyone who reads
the access log could post calls or receipts with it. The token is logged as `****`.

- `MaskPhoneNumbers`: a logging filter on the handlers of settings.LOGGING (Django's request logging, runserver's
  `django.server` lines, uvicorn's lines in the events service and the application's own messages).
- `GunicornLogger`: gunicorn's access log, set by gunicorn.conf.py (request line, query string, referer and the
  other request headers).
"""

import logging
import re
from urllib.parse import parse_qsl, urlencode

from gunicorn.glogging import Logger

from cac.security.masking import mask_phones

_QUERY = re.compile(r"\?([^\s\"'<>]*)")


# The parameters that carry what was typed into a phone box: the phone box and Enter in it (`q`, also the lists'
# search), the new-caller and new-prospect pages (`phone`), the new-customer form (`mobile`).
TYPED_NUMBER_PARAMETERS = frozenset({"q", "phone", "mobile"})


def mask_query_string(query: str) -> str:
    """A query string with the numbers in its values masked (unchanged when it holds none)."""
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [(key, mask_phones(value, partial=key in TYPED_NUMBER_PARAMETERS)) for key, value in pairs]
    return query if masked == pairs else urlencode(masked)


# The paths whose last part is a secret token (api/urls.py `cti_event`, cac/urls.py `sms_receipt`): the prefix is
# kept, so that the line still tells which endpoint was called (and, for receipts, which vendor's).
_SECRET_IN_PATH = re.compile(r"(/api/v1/cti/|/sms/receipts/[^/\s?#\"']+/)[^/\s?#\"']+")
SECRET_MASK = "****"  # noqa: S105 - what stands in for a secret, not one


def mask_secret_paths(text: str) -> str:
    """`text` with the token of every CTI endpoint and SMS receipt path in it replaced by `****`."""
    return _SECRET_IN_PATH.sub(lambda match: match.group(1) + SECRET_MASK, text)


def mask_log_text(text: str) -> str:
    """A log line with the tokens of its secret paths, the numbers of its URLs' query strings and any other whole
    number masked."""
    text = mask_secret_paths(text)
    if "?" in text:
        text = _QUERY.sub(lambda match: "?" + mask_query_string(match.group(1)), text)
    return mask_phones(text)


class MaskPhoneNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_log_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class GunicornLogger(Logger):
    """Gunicorn's logger, its access log lines built from masked atoms."""

    _QUERY_ATOMS = {"q", "{query_string}e"}

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and value:
                atoms[key] = mask_query_string(value) if key in self._QUERY_ATOMS else mask_log_text(value)
        return atoms
