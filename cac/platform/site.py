"""Absolute addresses of the CAC's pages, for what is read outside a browser tab: e-mails, above all.

A mail client has no page to resolve `/complaints/12/` against, so every link that leaves the site is built here
from one setting, `CAC_SITE_URL` (the address users type, e.g. `https://cac.example.com`)."""

from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """`path` (a site path such as `/complaints/12/`) under CAC_SITE_URL; a full URL is returned unchanged."""
    if not path or "://" in path:
        return path
    return urljoin(settings.CAC_SITE_URL.rstrip("/") + "/", path.lstrip("/"))


def absolute_reverse(viewname: str, *, args=None, kwargs=None) -> str:
    """`reverse()` as an absolute URL."""
    return absolute_url(reverse(viewname, args=args, kwargs=kwargs))
