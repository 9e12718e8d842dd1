"""Stored files (recordings, evidence, report PDFs) served through the views that check who may read them, from
whichever storage holds them: the local disk of `make run` or an S3-compatible bucket shared by every machine.

Range requests are answered (206 Partial Content), so that an audio player can seek in a recording; the bytes of the
range are read from the storage alone (an S3 ranged GET), never the whole object first."""

import re
from collections.abc import Iterator

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class MissingFile(Exception):
    """The row names a file the storage does not have (deleted, or written to another machine's disk)."""


def stored_size(fieldfile) -> int:
    """The file's size in bytes; MissingFile when the storage does not hold it."""
    if not fieldfile.name or not fieldfile.storage.exists(fieldfile.name):
        raise MissingFile(fieldfile.name)
    return fieldfile.storage.size(fieldfile.name)


def _requested_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, None when the header asks for no usable range, ValueError
    when it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            raise ValueError(header)
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError(header)
    return start, end


def _chunks(fieldfile, start: int, end: int) -> Iterator[bytes]:
    storage = fieldfile.storage
    if hasattr(storage, "bucket_name") and hasattr(storage, "connection"):  # django-storages' S3 storage
        body = storage.connection.meta.client.get_object(
            Bucket=storage.bucket_name,
            Key=storage._normalize_name(fieldfile.name),
            Range=f"bytes={start}-{end}",
        )["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
        return
    with storage.open(fieldfile.name, "rb") as handle:
        handle.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def stored_file_response(
    request, fieldfile, *, content_type: str, filename: str, as_attachment: bool = False
) -> HttpResponse:
    """The file, whole (200) or the range the request asks for (206; 416 when it cannot be satisfied). A file the
    storage does not hold is a 404. Access must have been checked by the caller."""
    try:
        size = stored_size(fieldfile)
    except MissingFile:
        raise Http404(_("The file is missing.")) from None
    start, end, status = 0, size - 1, 200
    if header := request.headers.get("Range"):
        try:
            requested = _requested_range(header, size)
        except ValueError:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        if requested is not None:
            (start, end), status = requested, 206
    response = StreamingHttpResponse(
        _chunks(fieldfile, start, end) if size else iter(()), status=status, content_type=content_type
    )
    response["Content-Length"] = str(end - start + 1 if size else 0)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "private, no-store"
    return response
