"""The Content-Security-Policy a response must carry, and the inline code a page must not hold.

`csp_problems(response)` is called on every response of the URL × role tables: the header is there with the
policy's essential directives, and an HTML page has no inline script, event handler, style attribute or <style>
element (the policy would block them). The browser tests check the same thing from the other side (tests/conftest.py).
"""

import re
from html.parser import HTMLParser

HEADER = "Content-Security-Policy"
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*")
# htmx attributes that evaluate JavaScript: event handlers (hx-on), js: values (hx-vals, hx-headers), hx-vars.
HTMX_EVAL = re.compile(r"^(data-)?hx-(on\b|on[:-].*|vars)$")


def policy_of(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _runs_inline(name: str, value: str) -> bool:
    """An attribute the policy blocks: a style, an event handler, htmx evaluating code, a javascript: URL."""
    if name == "style" or name.startswith("on") or HTMX_EVAL.match(name):
        return True
    if name.startswith(("hx-", "data-hx-")) and value.startswith("js:"):
        return True
    return name in {"href", "action", "formaction", "src"} and value.strip().lower().startswith("javascript:")


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.found += [f"<{tag} {name}={value!r}>" for name, value in attrs if _runs_inline(name, value or "")]
        if tag == "style":
            self.found.append("<style> element")
        values = dict(attrs)
        # A data block (json_script: type="application/json") is never run, so the policy does not block it.
        data_block = (values.get("type") or "").strip().lower() == "application/json"
        self._in_script = tag == "script" and not values.get("src") and not data_block

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline <script>: {data.strip()[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_code(html: str) -> list[str]:
    """What in a page the policy would block: inline scripts, handlers, style attributes, <style> elements."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def csp_problems(response) -> list[str]:
    """Why a response does not meet the policy; empty when it does."""
    header = response.get(HEADER)
    if not header:
        return [f"no {HEADER} header"]
    problems = []
    policy = policy_of(header)
    for directive, value in REQUIRED.items():
        if policy.get(directive) != [value]:
            problems.append(f"{directive} is {policy.get(directive)}, expected [{value!r}]")
    for directive, values in policy.items():
        if unsafe := [value for value in values if value in UNSAFE]:
            problems.append(f"{directive} allows {unsafe}")
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and not response.streaming:
        problems += inline_code(response.content.decode(response.charset or "utf-8"))
    return problems
