"""Texts the app writes (a notice, a call's summary, a key-attention reason) kept as data and worded when shown.

A text is a small JSON value: `{"t": msgid, "p": {name: parameter}}`, where a parameter is a plain string (a name, a
number: the same in every language), a text itself (a translated phrase, a choice's label), or a moment
(`{"dt": ISO, "z": zone}`) or a day (`{"d": ISO}`). `render` words it in the active language, so the agent writing in
English and the manager reading in Chinese each read it in their own language. The msgids are marked in the code
that writes the text (`gettext_noop` or a model's choices), so the catalogue translates them.

A text whose msgid the catalogue does not know (renamed since) still reads: in the writer's words, with its
parameters."""

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, timezone, translation
from django.utils.functional import Promise

Text = dict


def text(msgid: str | Promise, /, **params) -> Text:
    """A text to store: the msgid and its parameters, each encoded so that it can be worded in any language."""
    data = _encode(msgid)
    if not isinstance(data, dict):
        data = {"t": str(msgid)}
    if params:
        data["p"] = {name: _encode(value) for name, value in params.items()}
    return data


def joined(*parts: Text | str, separator: str = " ") -> Text:
    """Texts shown one after the other (a reason per warning, the digest's lines)."""
    return {"j": [_encode(part) for part in parts if part], "s": separator}


def is_text(value) -> bool:
    return isinstance(value, Mapping) and ("t" in value or "j" in value)


def render(data, *, language: str | None = None) -> str:
    """The text worded in `language` (by default the active one). Anything that is not a text is shown as is."""
    if language is not None:
        with translation.override(language):
            return render(data)
    if isinstance(data, str):
        return data
    if not isinstance(data, Mapping):
        return "" if data is None else str(data)
    if "j" in data:
        return data.get("s", " ").join(render(part) for part in data["j"])
    if "dt" in data:
        moment = datetime.fromisoformat(data["dt"])
        zone = ZoneInfo(data["z"]) if data.get("z") else timezone.get_current_timezone()
        return formats.date_format(timezone.localtime(moment, zone), "DATETIME_FORMAT")
    if "d" in data:
        return formats.date_format(date.fromisoformat(data["d"]), "DATE_FORMAT")
    if "t" not in data:
        return ""
    msgid = data["t"]
    words = translation.pgettext(data["c"], msgid) if data.get("c") else translation.gettext(msgid)
    params = data.get("p")
    if not params:
        return words
    try:
        return words % {name: render(value) for name, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return msgid % {name: render(value) for name, value in params.items()}


def _encode(value):
    if isinstance(value, Promise):
        func, args, kwargs = value.__reduce__()[1][:3]
        name = getattr(func, "__name__", "")
        if name == "pgettext" and len(args) == 2 and not kwargs:
            return {"t": str(args[1]), "c": str(args[0])}
        if name == "gettext" and len(args) == 1 and not kwargs:
            return {"t": str(args[0])}
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime):
        # A moment in the dealer's zone is shown in it; one in UTC in the reader's current zone.
        return {"dt": value.isoformat(), "z": getattr(value.tzinfo, "key", "")}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, str | int | float):
        return value if isinstance(value, str) else str(value)
    return str(value)
