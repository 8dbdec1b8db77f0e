"""What kind of file was uploaded, judged by its bytes (magic numbers), not its name.

Cheap checks that need no parser run here, in the service process: size, type, mislabelling,
Office encryption, the DOCX zip directory (declared sizes and ratios), and text decoding.
Anything that needs a real parser (pypdf, XML) runs in the subprocess (`parsing.py`).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePath

from assistant.cv_review.errors import CvFileProblem
from assistant.cv_review.limits import MB, CvLimits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00")
_EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/plain": "text",
    "text/markdown": "text",
}
_OTHER_EXTENSIONS = {".doc", ".odt", ".rtf", ".pages", ".jpg", ".jpeg", ".png", ".heic", ".gif"}


def declared_kind(filename: str | None, content_type: str | None) -> str | None:
    """The type the client claims ("pdf", "docx", "text", "other"), or None if it says nothing."""
    ext = PurePath(filename or "").suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if ext in _OTHER_EXTENSIONS:
        return "other"
    ctype = (content_type or "").split(";")[0].strip().lower()
    return _CONTENT_TYPES.get(ctype)


def sniff(data: bytes) -> str:
    """ "pdf", "zip", "ole", "image", "rtf" or "text" (anything else) from the first bytes."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(_IMAGE_MAGICS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    return "text"


def classify(data: bytes, filename: str | None, content_type: str | None, limits: CvLimits) -> str:
    """Returns "pdf", "docx" or "text", or raises CvFileProblem with the reason."""
    if len(data) > limits.max_bytes:
        raise CvFileProblem("too_large")
    if not data.strip():
        raise CvFileProblem("empty")
    claimed = declared_kind(filename, content_type)
    found = sniff(data)
    if found == "ole":
        # Password-protected Word files are OLE containers holding an "EncryptionInfo" stream.
        if "EncryptionInfo".encode("utf-16-le") in data or claimed == "docx":
            raise CvFileProblem("encrypted", "office encryption")
        raise CvFileProblem("unsupported_type", "old Word format")
    if found in ("image", "rtf"):
        raise CvFileProblem("unsupported_type", found)
    if found == "zip":
        if not _is_docx(data, limits):
            raise CvFileProblem("mislabelled" if claimed == "pdf" else "unsupported_type", "zip")
        kind = "docx"
    elif found == "pdf":
        kind = "pdf"
    else:
        kind = "text"
    if claimed == "other":
        raise CvFileProblem("mislabelled", f"{kind} with another extension")
    if claimed is not None and claimed != kind:
        if kind == "text" and claimed in ("pdf", "docx") and not _looks_like_text(data):
            raise CvFileProblem("corrupt", f"{claimed} without its signature")
        raise CvFileProblem("mislabelled", f"{kind} named as {claimed}")
    return kind


def open_checked_zip(
    data: bytes, limits: CvLimits
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The zip and its entries, after checking only its central directory (declared sizes,
    ratios, encryption flags): nothing is decompressed here."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise CvFileProblem("corrupt", "bad zip") from exc
    check_zip_directory(infos, limits)
    return zf, infos


def _is_docx(data: bytes, limits: CvLimits) -> bool:
    _, infos = open_checked_zip(data, limits)
    return "word/document.xml" in {i.filename for i in infos}


def check_zip_directory(infos: list[zipfile.ZipInfo], limits: CvLimits) -> None:
    if len(infos) > limits.max_zip_members:
        raise CvFileProblem("unsafe", "too many zip members")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise CvFileProblem("encrypted", "encrypted zip member")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.max_compression_ratio:
            raise CvFileProblem("unsafe", f"compression ratio {ratio:.0f}")
    if total > limits.max_uncompressed_bytes:
        raise CvFileProblem("unsafe", f"uncompressed size {total}")


# ---------------------------------------------------------------- plain text
def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or detected by its NUL pattern), else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[3:], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16")
    sample = data[:4000]
    if len(sample) >= 4:
        even_nuls = sample[0::2].count(0) / (len(sample) / 2)
        odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
        if odd_nuls > 0.3 and even_nuls < 0.05:
            return _decode(data, "utf-16-le")
        if even_nuls > 0.3 and odd_nuls < 0.05:
            return _decode(data, "utf-16-be")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined: they become spaces
        text = data.decode("cp1252", errors="replace").replace("\ufffd", " ")
    if not _is_texty(text):
        raise CvFileProblem("corrupt", "binary data")
    return text


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CvFileProblem("corrupt", f"invalid {encoding}") from exc
    text = text.lstrip("\ufeff")
    if not _is_texty(text):
        raise CvFileProblem("corrupt", "binary data")
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _is_texty(text: str) -> bool:
    if "\x00" in text:
        return False
    return len(_CONTROL.findall(text[:20000])) <= max(2, len(text[:20000]) // 200)


def _looks_like_text(data: bytes) -> bool:
    try:
        decode_text(data)
    except CvFileProblem:
        return False
    return True


# ---------------------------------------------------------------- invisible characters
# Unicode tag characters smuggle instructions; zero-width and bidi controls hide or reorder
# text. ZWJ/ZWNJ (U+200C/D) are left alone: Indic scripts need them.
_TAGS = re.compile("[\U000e0000-\U000e007f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ZERO_WIDTH = re.compile("[\u200b\u2060-\u2064\ufeff\u180e\u3164\uffa0\u115f\u1160]")


def count_invisible(text: str) -> int:
    """How many invisible characters count as hiding something (a few zero-width are noise)."""
    tags = len(_TAGS.findall(text)) + len(_BIDI.findall(text))
    zero = len(_ZERO_WIDTH.findall(text))
    return tags + (zero if zero >= 3 else 0)


def strip_invisible(text: str) -> str:
    text = _ZERO_WIDTH.sub("", _BIDI.sub("", _TAGS.sub("", text)))
    return _CONTROL.sub("", text)
