"""Every error of the API in one shape: `{"errors": {field: [messages]}}`, in the caller's Accept-Language.

Errors that belong to no field are under `detail`. Django's ValidationError and PermissionDenied raised by the
services are turned into the same shape, so a refused write reads like a refused request."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "detail"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int):
        super().__init__(_("The request body is larger than %(kb)d KB.") % {"kb": limit // 1024})


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, item in value.items() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            (NON_FIELD if key in ("non_field_errors", "__all__") else key): _messages(value)
            for key, value in detail.items()
        }
    return {NON_FIELD: _messages(detail)}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        # A service refuses a record outside the key's dealers this way: to the caller it does not exist.
        exc = exceptions.NotFound()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    return Response({"errors": _errors(response.data)}, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict[str, str]:
    return {name: value for name, value in response.items() if name in ("WWW-Authenticate", "Retry-After")}
