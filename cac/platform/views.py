"""What every view of every app stands on: the role's permission after login, the user's dealers as the only scope
(anything outside them is a 404), and ids from the query string that never make a 500."""

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _


def role_required(perm: str):
    """Login first, then the role's permission: anonymous users go to the login page, others get 403."""

    def decorator(view):
        return login_required(permission_required(perm, raise_exception=True)(view))

    return decorator


def scoped(view):
    """Turn a lookup outside the user's dealers into a 404, never a leak."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404(_("Not found.")) from exc

    return wrapper


def id_param(request, name: str) -> int | None:
    """An id from the query string (`?customer=12`); anything but digits is a 404, never a 500."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise Http404(_("Not found."))
    return int(value)
