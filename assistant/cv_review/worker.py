"""Extracts text from an untrusted PDF or DOCX. Runs ONLY in a child process:

    python -I -m assistant.cv_review.worker KIND LIMITS_JSON  < file  > result.json

It limits its own memory (RLIMIT_AS), CPU time and file writes before it reads a byte of the
file; the parent also kills it after a wall-clock timeout (`parsing.SubprocessCvParser`). The
result is one JSON object: {"ok": true, "text", "pages", "images", "hidden": {kind: chars}} or
{"ok": false, "reason"}. Hidden text (white, tiny, invisible or off-page in a PDF; white, tiny or
hidden runs in a DOCX) is counted and left out of "text"; it is never returned.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from collections import Counter

from assistant.cv_review.errors import CvFileProblem
from assistant.cv_review.files import open_checked_zip
from assistant.cv_review.limits import MB, CvLimits

TINY_PT = 4.0  # rendered text smaller than this is unreadable on paper
WORDS_PER_PAGE = 550
LINES_PER_PAGE = 46


def limit_resources(limits: CvLimits) -> None:
    import resource

    mem = limits.parse_memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.parse_cpu_s, limits.parse_cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it never writes files
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def extract(kind: str, data: bytes, limits: CvLimits) -> dict:
    if kind == "pdf":
        return extract_pdf(data, limits)
    if kind == "docx":
        return extract_docx(data, limits)
    raise CvFileProblem("unsupported_type", kind)


# ---------------------------------------------------------------- PDF
def _mult(m: list[float], n: list[float]) -> list[float]:
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _nums(args) -> list[float]:
    out = []
    for a in args:
        try:
            out.append(float(a))
        except (TypeError, ValueError):
            return []
    return out


def _rgb(values: list[float]) -> tuple[float, float, float] | None:
    if len(values) == 1:
        return (values[0],) * 3  # type: ignore[return-value]
    if len(values) == 3:
        return (values[0], values[1], values[2])
    if len(values) == 4:
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _is_white(rgb: tuple[float, float, float]) -> bool:
    return min(rgb) >= 0.94


def _is_dark(rgb: tuple[float, float, float]) -> bool:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] < 0.6


class _PageScan:
    """Follows the graphics state a text extractor ignores: fill colour, render mode, filled
    rectangles (white text on a dark box is a design, not a trick) and the font size."""

    SHOW = (b"Tj", b"TJ", b"'", b'"')
    FILL = (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        self.box = box
        self.fill: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.mode = 0
        self.size = 12.0
        self.stack: list[tuple] = []
        self.pending: list[tuple[float, float, float, float]] = []
        self.dark: list[tuple[float, float, float, float]] = []
        self.shown_hidden: set[str] = set()
        self.shown_visible = False
        self.fragments: list[tuple[str | None, str]] = []  # (hidden reason or None, text)

    def before(self, op: bytes, args, cm, tm) -> None:
        if op == b"q":
            self.stack.append((self.fill, self.mode))
        elif op == b"Q":
            if self.stack:
                self.fill, self.mode = self.stack.pop()
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            rgb = _rgb(_nums(args))
            if rgb is not None:
                self.fill = rgb
        elif op == b"cs":
            self.fill = (0.0, 0.0, 0.0)
        elif op == b"Tr" and args:
            self.mode = int(_nums(args[:1])[0]) if _nums(args[:1]) else 0
        elif op == b"Tf" and len(args) >= 2:
            size = _nums(args[1:2])
            if size:
                self.size = size[0]
        elif op == b"re" and len(args) == 4:
            x, y, w, h = _nums(args) or (0, 0, 0, 0)
            xs = [x * cm[0] + y * cm[2] + cm[4], (x + w) * cm[0] + (y + h) * cm[2] + cm[4]]
            ys = [x * cm[1] + y * cm[3] + cm[5], (x + w) * cm[1] + (y + h) * cm[3] + cm[5]]
            self.pending.append((min(xs), min(ys), max(xs), max(ys)))
        elif op in self.FILL:
            if _is_dark(self.fill):
                self.dark.extend(self.pending)
            self.pending.clear()
        elif op in (b"n", b"S", b"s"):
            self.pending.clear()
        elif op in self.SHOW:
            reason = self._hidden_reason(cm, tm)
            if reason:
                self.shown_hidden.add(reason)
            else:
                self.shown_visible = True

    def _hidden_reason(self, cm, tm) -> str | None:
        m = _mult(list(tm), list(cm))
        if self.mode in (3, 7):
            return "invisible"
        scale = math.hypot(m[2], m[3])
        if 0 < abs(self.size) * scale < TINY_PT:
            return "tiny"
        x, y = m[4], m[5]
        left, bottom, right, top = self.box
        if x > right + 5 or y > top + 5 or x < left - 50 or y < bottom - 50:
            return "offpage"
        if _is_white(self.fill) and not any(
            r[0] - 2 <= x <= r[2] + 2 and r[1] - 2 <= y <= r[3] + 2 for r in self.dark
        ):
            return "white"
        return None

    def text(self, text: str, cm, tm, font, size) -> None:
        if not text.strip():
            return
        if self.shown_hidden:
            # all of this piece was drawn hidden, or hidden and visible runs were mixed
            reason = sorted(self.shown_hidden)[0]
            self.fragments.append((reason if not self.shown_visible else "mixed:" + reason, text))
        else:
            self.fragments.append((None, text))
        self.shown_hidden = set()
        self.shown_visible = False


def _page_images(page) -> int:
    count = 0
    try:
        xobjects = page.get("/Resources", {}).get_object().get("/XObject", {}).get_object()
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                w, h = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
                if w * h >= 64 * 64:
                    count += 1
    except (AttributeError, TypeError, ValueError):
        return count
    return count


def extract_pdf(data: bytes, limits: CvLimits) -> dict:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    cap = limits.max_uncompressed_bytes
    pypdf.overwrite_configuration(
        maximum_declared_stream_length=cap,
        array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=4 * cap,
        xform_maximum_invocations_per_extraction=500,
        page_tree_maximum_entries=10_000,
        jbig2dec_binary=None,
    )
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Files that open without a password (permissions only) are fine to read.
            try:
                if not reader.decrypt(""):
                    raise CvFileProblem("encrypted", "needs a password")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise CvFileProblem("encrypted", "needs a password") from exc
        n = len(reader.pages)
        if n == 0:
            raise CvFileProblem("corrupt", "no pages")
        if n > limits.max_pages:
            raise CvFileProblem("too_many_pages", str(n))
        visible: list[str] = []
        hidden: Counter[str] = Counter()
        images = 0
        chars = 0
        for page in reader.pages:
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()  # decodes within the limits; extract_text hides a LimitReached
            box = page.mediabox
            scan = _PageScan((float(box.left), float(box.bottom), float(box.right), float(box.top)))
            text = page.extract_text(visitor_operand_before=scan.before, visitor_text=scan.text)
            page_images = _page_images(page)
            images += page_images
            total = sum(len(t) for _, t in scan.fragments) or 1
            ocr_chars = sum(len(t) for r, t in scan.fragments if r == "invisible")
            ocr_layer = page_images > 0 and ocr_chars / total > 0.5  # scanned page with OCR text
            for reason, fragment in scan.fragments:
                if reason is None or (ocr_layer and reason == "invisible"):
                    continue
                if reason.startswith("mixed:"):
                    hidden[reason[6:]] += len(fragment.strip())
                    continue
                hidden[reason] += len(fragment.strip())
                text = text.replace(fragment, " ", 1)
            chars += len(text)
            if chars > limits.max_chars:
                raise CvFileProblem("too_many_chars", str(chars))
            visible.append(text)
    except CvFileProblem:
        raise
    except LimitReachedError as exc:
        raise CvFileProblem("unsafe", "stream limit") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise CvFileProblem("corrupt", type(exc).__name__) from exc
    return {"text": "\n\f".join(visible), "pages": n, "images": images, "hidden": dict(hidden)}


# ---------------------------------------------------------------- DOCX
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_IMAGE_EXT = re.compile(r"\.(png|jpe?g|gif|bmp|tiff?|webp|heic)$", re.IGNORECASE)
_DARK_HIGHLIGHTS = {
    "black",
    "darkBlue",
    "darkCyan",
    "darkGreen",
    "darkMagenta",
    "darkRed",
    "darkGray",
    "blue",
    "red",
    "green",
    "magenta",
}
_OFF = {"0", "false", "off", "none"}


def _hex_rgb(value: str | None) -> tuple[float, float, float] | None:
    if not value or not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return None
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _shading_dark(props) -> bool | None:
    """True/False when the element sets a background, None when it inherits one."""
    if props is None:
        return None
    shd = props.find(W + "shd")
    if shd is not None:
        rgb = _hex_rgb(shd.get(W + "fill"))
        if rgb is not None:
            return _is_dark(rgb)
    hl = props.find(W + "highlight")
    if hl is not None and hl.get(W + "val"):
        return hl.get(W + "val") in _DARK_HIGHLIGHTS
    return None


class _DocxText:
    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.hidden: Counter[str] = Counter()
        self.page_breaks = 0
        self.rendered_breaks = 0

    def walk(self, el, dark: bool, buf: list[str] | None) -> None:
        tag = el.tag
        if tag == W + "tc":
            d = _shading_dark(el.find(W + "tcPr"))
            dark = dark if d is None else d
        if tag == W + "p":
            ppr = el.find(W + "pPr")
            d = _shading_dark(ppr)
            dark = dark if d is None else d
            if ppr is not None and ppr.find(W + "pageBreakBefore") is not None:
                self.page_breaks += 1
            own: list[str] = []
            for child in el:
                self.walk(child, dark, own)
            self.paragraphs.append("".join(own))
            return
        if tag == W + "r" and buf is not None:
            self._run(el, dark, buf)
        for child in el:
            self.walk(child, dark, buf)

    def _run(self, run, dark: bool, buf: list[str]) -> None:
        parts: list[str] = []
        for child in run:
            t = child.tag
            if t == W + "t":
                parts.append(child.text or "")
            elif t == W + "tab":
                parts.append("\t")
            elif t in (W + "br", W + "cr"):
                if child.get(W + "type") == "page":
                    self.page_breaks += 1
                parts.append("\n")
            elif t == W + "lastRenderedPageBreak":
                self.rendered_breaks += 1
        text = "".join(parts)
        if not text.strip():
            buf.append(text)
            return
        reason = self._hidden_reason(run.find(W + "rPr"), dark)
        if reason:
            self.hidden[reason] += len(text.strip())
            buf.append(" ")
        else:
            buf.append(text)

    @staticmethod
    def _hidden_reason(rpr, dark: bool) -> str | None:
        if rpr is None:
            return None
        for tag in ("vanish", "specVanish"):
            v = rpr.find(W + tag)
            if v is not None and (v.get(W + "val") or "true") not in _OFF:
                return "vanish"
        sz = rpr.find(W + "sz")
        if sz is not None:
            try:
                if int(sz.get(W + "val") or 24) < TINY_PT * 2:  # half-points
                    return "tiny"
            except ValueError:
                pass
        d = _shading_dark(rpr)
        dark = dark if d is None else d
        color = rpr.find(W + "color")
        rgb = _hex_rgb(color.get(W + "val")) if color is not None else None
        if rgb is not None and _is_white(rgb) and not dark:
            return "white"
        return None


def extract_docx(data: bytes, limits: CvLimits) -> dict:
    import zipfile

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    zf, infos = open_checked_zip(data, limits)
    names = [i.filename for i in infos]
    budget = [limits.max_uncompressed_bytes]

    def read(name: str) -> bytes:
        # Declared sizes can lie: decompress in chunks and stop at the budget.
        out = bytearray()
        try:
            with zf.open(name) as f:
                while chunk := f.read(256 * 1024):
                    out += chunk
                    budget[0] -= len(chunk)
                    if budget[0] < 0:
                        raise CvFileProblem("unsafe", "decompressed past the limit")
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            raise CvFileProblem("corrupt", f"bad member {name}") from exc
        return bytes(out)

    def parse(name: str):
        try:
            return fromstring(read(name), forbid_dtd=True)
        except DefusedXmlException as exc:  # DTDs, entity expansion, external references
            raise CvFileProblem("unsafe", type(exc).__name__) from exc
        except (ParseError, RecursionError) as exc:
            raise CvFileProblem("corrupt", "bad XML") from exc

    if "word/document.xml" not in names:
        raise CvFileProblem("corrupt", "no document.xml")
    body = _DocxText()
    parts = sorted(n for n in names if re.fullmatch(r"word/(header|footer)\d*\.xml", n))
    for name in ["word/document.xml", *parts]:
        try:
            body.walk(parse(name), False, None)
        except RecursionError as exc:
            raise CvFileProblem("unsafe", "nesting too deep") from exc
    text = "\n".join(body.paragraphs)
    if len(text) > limits.max_chars:
        raise CvFileProblem("too_many_chars", str(len(text)))
    app_pages = 0
    if "docProps/app.xml" in names:
        m = re.search(rb"<Pages>(\d{1,4})</Pages>", read("docProps/app.xml"))
        app_pages = int(m.group(1)) if m else 0
    words = len(text.split())
    # Word keeps <Pages> and page-break marks current; other writers do not, so also estimate
    # from the text: ~95 characters a line, ~46 lines an A4 page.
    lines = sum(max(1, math.ceil(len(p) / 95)) for p in body.paragraphs)
    pages = max(
        app_pages,
        body.page_breaks + 1,
        body.rendered_breaks + 1,
        math.ceil(words / WORDS_PER_PAGE),
        math.ceil(lines / LINES_PER_PAGE),
        1,
    )
    if pages > limits.max_pages:
        raise CvFileProblem("too_many_pages", str(pages))
    images = len({n for n in names if n.startswith("word/media/") and _IMAGE_EXT.search(n)})
    return {"text": text, "pages": pages, "images": images, "hidden": dict(body.hidden)}


# ---------------------------------------------------------------- entry point
def main(argv: list[str]) -> int:
    kind, raw_limits = argv[1], argv[2]
    limits = CvLimits(**json.loads(raw_limits))
    limit_resources(limits)
    import logging

    logging.disable(logging.CRITICAL)  # pypdf warns about every oddity; nobody reads them here
    data = sys.stdin.buffer.read(limits.max_bytes + 1)
    try:
        result = {"ok": True, **extract(kind, data, limits)}
    except CvFileProblem as exc:
        result = {"ok": False, "reason": exc.reason}
    except MemoryError:
        result = {"ok": False, "reason": "unsafe"}
    except RecursionError:
        result = {"ok": False, "reason": "unsafe"}
    sys.stdout.buffer.write(json.dumps(result).encode("ascii"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
