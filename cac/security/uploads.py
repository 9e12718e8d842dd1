"""Uploads are what they claim: the one check of every uploaded file (call recordings, complaint evidence, imports).

A file is accepted when its extension is one the field takes, its size within the field's limit, and its content —
the magic bytes, read by the `filetype` library, never the type the uploader's browser sent — is of the kind the
extension names. Text files (no magic bytes) must be text: no NUL byte, UTF-8 or GB18030, and no web page, PHP or
script. So a renamed program, page or script is refused with a field error, whatever it is called.

The name is made safe at the same time: no folders (`../../etc/passwd.png` is `passwd.png`), no control or
invisible characters (NUL, right-to-left override), one dot only (`evil.php.jpg` is `evil_php.jpg`), the extension
in lower case, at most 100 characters. Chinese names stay as they are.
"""

import re
import unicodedata
from codecs import getincrementaldecoder
from collections.abc import Mapping
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

HEAD_BYTES = 8192  # what filetype reads; enough for every signature it knows
MAX_NAME = 100
TEXT = "text/plain"  # no signature: checked as text
_JPEG = frozenset({"image/jpeg"})
_PNG = frozenset({"image/png"})

# A text file that opens with markup or a shebang, or holds a page's or a program's tags, is not a letter or a CSV.
_ACTIVE_TEXT = re.compile(
    rb"^\s*(?:<\s*[!?a-z]|#!)|<\s*(?:script|\?php|html|body|iframe|object|embed|svg|meta|form)\b|<\?=|<%", re.IGNORECASE
)


@dataclass(frozen=True)
class FileTypes:
    """The files one field takes: each extension with the content types its content may be detected as."""

    by_extension: Mapping[str, frozenset[str]]

    @property
    def extensions(self) -> list[str]:
        return sorted(self.by_extension)


AUDIO = FileTypes(
    {
        ".mp3": frozenset({"audio/mpeg"}),
        ".wav": frozenset({"audio/x-wav"}),
        # An MPEG-4 audio file names itself M4A, or only the general MP4 brands (isom, mp42) some recorders write.
        ".m4a": frozenset({"audio/mp4", "video/mp4"}),
        ".amr": frozenset({"audio/amr"}),
        ".ogg": frozenset({"audio/ogg"}),
    }
)
IMAGES = FileTypes(
    {
        ".jpg": _JPEG,
        ".jpeg": _JPEG,
        ".png": _PNG,
        ".heic": frozenset({"image/heic"}),
        ".webp": frozenset({"image/webp"}),
    }
)
DOCUMENTS = FileTypes(
    {
        ".pdf": frozenset({"application/pdf"}),
        ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
        ".txt": frozenset({TEXT}),
        ".jpg": _JPEG,
        ".jpeg": _JPEG,
        ".png": _PNG,
    }
)
CSV = FileTypes({".csv": frozenset({TEXT})})


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the safe name, which the upload now carries
    extension: str
    content_type: str  # detected from the content


def _base_name(name: str) -> str:
    """The last part of a path, without control or invisible characters (NUL, right-to-left override ...)."""
    base = unicodedata.normalize("NFC", re.split(r"[\\/]", (name or "").replace("\x00", ""))[-1])
    return "".join(char for char in base if unicodedata.category(char)[0] not in {"C", "Z"} or char == " ").strip()


def safe_name(name: str, *, extension: str) -> str:
    """The file name without folders, control characters or inner dots, ending in `extension`."""
    base = _base_name(name)
    stem = base[: -len(extension)] if base.lower().endswith(extension) else base
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._-")
    stem = stem[: MAX_NAME - len(extension)].rstrip(" ._-")
    return f"{stem or 'file'}{extension}"


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return bytes(head)


def _is_text(head: bytes, *, complete: bool) -> bool:
    if b"\x00" in head or _ACTIVE_TEXT.search(head):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # A head cut in the middle of a character is still text: only a complete file must end well.
            getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _detected(head: bytes, *, complete: bool) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    return TEXT if _is_text(head, complete=complete) else None


def upload_check(upload, *, types: FileTypes, max_bytes: int) -> CheckedUpload:
    """Accept `upload` as one of `types` within `max_bytes`, or raise a ValidationError for its field.

    On success the upload carries its safe name (what it is stored as)."""
    name = _base_name(upload.name)
    extension = next((ext for ext in types.by_extension if name.lower().endswith(ext)), None)
    if extension is None:
        raise ValidationError(
            _("This file must be one of: %(types)s."), code="file_type", params={"types": ", ".join(types.extensions)}
        )
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; at most %(max)s."),
            code="file_size",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    content_type = _detected(_read_head(upload), complete=upload.size <= HEAD_BYTES)
    if content_type not in types.by_extension[extension]:
        raise ValidationError(
            _("The content of this file is not %(extension)s: it cannot be accepted under that name."),
            code="file_content",
            params={"extension": extension},
        )
    upload.name = safe_name(name, extension=extension)
    return CheckedUpload(name=upload.name, extension=extension, content_type=content_type)
