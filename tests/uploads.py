"""Small real files of every accepted type, made here (a WAV with `wave`, images with Pillow, a PDF, a DOCX ...), and
the fakes an attacker would upload under those names."""

import io
import struct
import wave
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)  # 0.1 s of silence
    return out.getvalue()


def mp3(*, id3: bool = False) -> bytes:
    """MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each), with or without an ID3v2 tag."""
    frames = (b"\xff\xfb\x90\x00" + b"\x00" * 413) * 8
    tag = b"ID3\x03\x00\x00\x00\x00\x00\x00" if id3 else b""
    return tag + frames


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def m4a(*, brand: bytes = b"M4A ") -> bytes:
    ftyp = _box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"M4A mp42isom")
    return ftyp + _box(b"free", b"\x00" * 8) + _box(b"mdat", b"\x00" * 64)


def amr() -> bytes:
    return b"#!AMR\n" + (b"\x3c" + b"\x00" * 31) * 10


def ogg() -> bytes:
    return b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x01vorbis" + b"\x00" * 40


def _image(format_: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=format_)
    return out.getvalue()


def png() -> bytes:
    return _image("PNG")


def jpeg() -> bytes:
    return _image("JPEG")


def webp() -> bytes:
    return _image("WEBP")


def heic() -> bytes:
    """The ISO-BMFF header of a HEIC photo (Pillow writes no HEIC without a plug-in)."""
    return _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + _box(b"meta", b"\x00" * 32)


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def txt(encoding: str = "utf-8") -> bytes:
    return "客户来信：保养后发动机舱有异响，要求免费检修。\nA letter from the customer.\n".encode(encoding)


def csv(encoding: str = "utf-8-sig") -> bytes:
    return "order_number,mobile,customer_name\nRO-1,13800138000,陈静\n".encode(encoding)


# What a hostile user renames: a Windows program, a Linux program, a web page, PHP, a shell script, an SVG with a
# script, a ZIP archive.
FAKES = {
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program cannot be run in DOS",
    "elf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,
    "html": b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
    "php": b"<?php system($_GET['c']); ?>",
    "script": b"#!/bin/sh\nrm -rf / --no-preserve-root\n",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "zip": b"PK\x03\x04" + b"\x00" * 26 + b"evil.exe",
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
