"""The one check of links in e-mails: a mail client has no page to resolve a site path against."""

import re

from django.conf import settings

_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
_SITE_PATH = re.compile(r"(?:^|\s)(/[\w\-./?=&%]*)", re.MULTILINE)


def assert_links_absolute(message) -> list[str]:
    """Every link of the message is under CAC_SITE_URL and none is a bare site path; returns the links."""
    bodies = [message.body, *(content for content, mimetype in getattr(message, "alternatives", []))]
    links = [link for body in bodies for link in _URL.findall(body)]
    relative = [path for body in bodies for path in _SITE_PATH.findall(body)]
    assert relative == [], f"relative links in the e-mail: {relative}"
    assert links, "the e-mail carries no link"
    assert all(link.startswith(settings.CAC_SITE_URL.rstrip("/") + "/") for link in links), links
    return links
