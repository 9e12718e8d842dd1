"""Who calls: `Authorization: Bearer <key>` (or `X-Api-Key: <key>`); what they may: the key's scopes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from api.keys import api_key_check, api_key_touch


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        plain = ""
        if header:
            keyword, _sep, value = header.partition(" ")
            if keyword.lower() != self.keyword.lower() or not value.strip():
                raise exceptions.AuthenticationFailed(_("Send the key as “Authorization: Bearer <key>”."))
            plain = value.strip()
        else:
            plain = request.META.get("HTTP_X_API_KEY", "").strip()
        if not plain:
            return None
        key = api_key_check(plain)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is unknown or revoked."))
        api_key_touch(key=key)
        request.api_key = key
        return key.user, key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


class HasScope(permissions.BasePermission):
    """The view names the scope each method needs (`scopes = {"GET": "customers:read"}`)."""

    message = _("This API key lacks the scope this request needs.")

    def has_permission(self, request, view):
        key = getattr(request, "api_key", None)
        if key is None:
            raise exceptions.NotAuthenticated(_("Send an API key: “Authorization: Bearer <key>”."))
        needed = view.scopes.get("GET" if request.method == "HEAD" else request.method)
        if needed is None:
            return True  # OPTIONS, or a method the view does not have: DRF answers 405
        self.message = _("This API key lacks the scope %(scope)s.") % {"scope": needed}
        return needed in key.scopes


class ApiKeyThrottle(throttling.SimpleRateThrottle):
    """Requests per key (API_THROTTLE_RATE); unauthenticated requests are counted per address."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = getattr(request, "api_key", None)
        ident = f"key-{key.pk}" if key is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class CtiLineThrottle(throttling.SimpleRateThrottle):
    """A phone line's events per line (CTI_THROTTLE_RATE)."""

    scope = "cti_line"

    def get_cache_key(self, request, view):
        line = getattr(request, "cti_line", None)
        ident = f"line-{line.pk}" if line is not None else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
