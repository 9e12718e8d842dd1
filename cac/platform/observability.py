"""What an operator reads when something goes wrong: log lines that say which request and user they belong to,
and errors sent to Sentry (or a self-hosted Sentry or GlitchTip) when a DSN is configured.

The request id comes from django-guid: its middleware takes the proxy's `X-Request-ID` (a UUID, as nginx's
`$request_id` or Caddy's `{http.request.uuid}`) or makes one, and its Celery signals carry it in the headers of every
task the request enqueues, so a task's lines carry the id of the request that caused them. The user id travels the
same way, beside it, in a header of our own.
"""

import logging
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun
from django_guid.context import guid

USER_HEADER = "cac_user_id"
_user_id: ContextVar[int | None] = ContextVar("cac_user_id", default=None)


class LogContextFilter(logging.Filter):
    """Puts `request_id` and `user_id` on every record (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = guid.get()
        record.user_id = _user_id.get()
        return True


def user_id_middleware(get_response):
    """After authentication: the signed-in user's id for the log lines of this request."""

    def middleware(request):
        user = getattr(request, "user", None)
        token = _user_id.set(user.pk if user is not None and user.is_authenticated else None)
        try:
            return get_response(request)
        finally:
            _user_id.reset(token)

    return middleware


@before_task_publish.connect
def _carry_user_id(headers: dict, **kwargs) -> None:
    headers[USER_HEADER] = _user_id.get()


@task_prerun.connect
def _adopt_user_id(task, **kwargs) -> None:
    _user_id.set(task.request.get(USER_HEADER))


@task_postrun.connect
def _forget_user_id(**kwargs) -> None:
    _user_id.set(None)


def _tag_request(event: dict, hint: dict) -> dict:
    request_id = guid.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Errors of the web and the workers to Sentry. No personal data leaves: no request bodies, local variables,
    SQL parameters or task arguments (they hold customers' names, phones and complaints), no user details; the
    traceback, the request's address and headers (cookies and addresses scrubbed) and the request id."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
            "queues": False,
        },
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_tag_request,
    )
