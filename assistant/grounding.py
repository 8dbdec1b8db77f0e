"""What a generated answer may say: source tokens, the grounding check and the output sanitiser.

The model never sees a URL. Each retrieved article is a source `S1`, `S2`…; each link in it is a
token `L1`, `L2`… owned by its source. The answer must name the sources it used; every number
and phone number in it must appear in those sources; links come back only for cited sources,
everything else that could carry a link (HTML, markdown images and links, bare URLs) is removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlparse

# ------------------------------------------------------------------------ numbers

_URL = re.compile(
    r"(?:https?://|www\.|guide:)[^\s<>()\[\]\"']+|(?:javascript|data|vbscript):[^\s<>()\"']*",
    re.IGNORECASE,
)

# A run of digits with the separators numbers and phone numbers are written with:
# "0300 123 1100", "£1,000", "11.10", "0800-144-8848".
_NUMBER_GROUP = re.compile(r"\d(?:[\d,.]*\d)?(?:[ \-\u00a0]\d(?:[\d,.]*\d)?)*")
_LIST_MARKER = re.compile(r"(?m)^[ \t]*\d{1,2}[.)][ \t]+")
_TOKEN_REF = re.compile(r"\[?\b[SL]\d{1,3}\b\]?")
PHONE_DIGITS = 7  # a group with at least this many digits is compared as a whole


def ascii_digits(text: str) -> str:
    """Every decimal digit (Devanagari, Bengali, Tamil, Arabic-Indic…) as 0–9."""
    return "".join(
        str(d) if (d := unicodedata.decimal(ch, None)) is not None and not ch.isascii() else ch
        for ch in text
    )


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))


def _number_spans(text: str) -> list[re.Match[str]]:
    """Number groups in `text` (same offsets), leaving out URLs, source/link tokens and
    list markers ("1. ")."""
    text = ascii_digits(text)
    for rx in (_URL, _TOKEN_REF, _LIST_MARKER):
        text = rx.sub(_blank, text)
    return list(_NUMBER_GROUP.finditer(text))


def _groups(text: str) -> list[str]:
    return [m.group(0) for m in _number_spans(text)]


def _tokens(group: str) -> list[str]:
    return [t.replace(",", "") for t in re.split(r"[ \-\u00a0]", group) if t]


@dataclass
class NumberIndex:
    """The numbers in some text: single numbers, and digit runs for phone-number comparison."""

    numbers: set[str] = field(default_factory=set)
    runs: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> NumberIndex:
        index = cls()
        for group in _groups(text):
            index.numbers.update(_tokens(group))
            index.runs.append(re.sub(r"\D", "", group))
        return index

    def allows(self, group: str) -> bool:
        digits = re.sub(r"\D", "", group)
        if len(digits) >= PHONE_DIGITS:
            return any(digits in run for run in self.runs)
        return all(t in self.numbers for t in _tokens(group))


def ungrounded_numbers(text: str, index: NumberIndex) -> list[str]:
    """Numbers and phone numbers in `text` that `index` does not contain."""
    return [g for g in _groups(text) if not index.allows(g)]


# ------------------------------------------------------------------------ sources


@dataclass
class Source:
    """One retrieved article as the model sees it: an id, text with link tokens, its links."""

    id: str  # "S1"
    article_id: str
    title: str
    text: str  # what the model reads; URLs replaced by link tokens
    links: dict[str, str] = field(default_factory=dict)  # "L1" -> URL

    @property
    def numbers(self) -> NumberIndex:
        return NumberIndex.of(self.title + "\n" + self.text)


class LinkTokens:
    """Hands out `L1`, `L2`… for URLs, the same token for the same URL."""

    def __init__(self) -> None:
        self.by_url: dict[str, str] = {}

    def token(self, url: str) -> str:
        if url not in self.by_url:
            self.by_url[url] = f"L{len(self.by_url) + 1}"
        return self.by_url[url]

    def replace(self, text: str, links: dict[str, str]) -> str:
        """`text` with each URL swapped for its token (recorded in `links`)."""

        def swap(m: re.Match[str]) -> str:
            url = m.group(0).rstrip(".,;:")
            tail = m.group(0)[len(url) :]
            if url.lower().startswith(("javascript:", "data:", "vbscript:")):
                return tail
            if url.startswith("guide:"):
                url = "/guide/" + url[len("guide:") :]
            tok = self.token(url)
            links[tok] = url
            return tok + tail

        return _URL.sub(swap, text)


def domain(url: str) -> str:
    host = urlparse(url).netloc or url
    return host.removeprefix("www.")


# ------------------------------------------------------------------------ sanitiser

_SCRIPT = re.compile(r"<(script|style|iframe|object)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z!][^<>]{0,500}>")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|!\[[^\]\n]*\]\[[^\]\n]*\]")
_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_REF_DEF = re.compile(r"(?m)^[ \t]*\[[^\]\n]+\]:[ \t]*\S+.*$")
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_LINK_TOKEN = re.compile(r"\[?\b(L\d{1,3})\b\]?")
_SOURCE_TOKEN = re.compile(r"[ \t]*\[\s*S\d{1,3}(?:\s*,\s*S\d{1,3})*\s*\]|\bS\d{1,3}\b")


def sanitise(text: str, cited_links: dict[str, str]) -> str:
    """Plain text: no HTML, no images, links only as the URLs of cited sources' link tokens."""

    def link(tok: str) -> str:
        return cited_links.get(tok, "")

    text = _SCRIPT.sub("", text)
    text = _TAG.sub("", text)
    text = text.replace("<", "‹").replace(">", "›")
    text = _IMAGE.sub("", text)
    text = _REF_DEF.sub("", text)
    text = _URL.sub("", text)  # bare URLs: the model never saw one, so it made it up

    def md_link(m: re.Match[str]) -> str:
        label, target = m.group(1).strip(), m.group(2).strip()
        tok = _LINK_TOKEN.fullmatch(target)
        url = link(tok.group(1)) if tok else ""
        return f"{label} ({url})" if url and label else (url or label)

    text = _LINK.sub(md_link, text)
    text = _REF_LINK.sub(r"\1", text)
    text = _LINK_TOKEN.sub(lambda m: link(m.group(1)), text)
    text = _SOURCE_TOKEN.sub("", text)

    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip()


def mask_ungrounded(text: str, index: NumberIndex) -> str:
    """For a streamed preview: numbers no source contains become "…" until the answer is checked."""
    out, last = [], 0
    for m in _number_spans(text):
        if not index.allows(m.group(0)):
            out.append(text[last : m.start()] + "…")
            last = m.end()
    out.append(text[last:])
    return "".join(out)
