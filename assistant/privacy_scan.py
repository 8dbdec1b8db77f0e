"""`harbour privacy scan`: look for personal data where none should be.

Only redacted text is ever stored, so emails, UK phone numbers and National Insurance numbers
should not appear in the database, the data folder or the logs. The scan reads:
- every text and JSON column of every table in the database (SQLite or PostgreSQL);
- the raw bytes of every file under the data folder (so text in SQLite free pages and WAL
  files, left behind by a delete, is found too) and of the log files given.

Public contact details from Harbour's own curated texts (helplines in the knowledge base and
the service messages) are allowed: they are not personal data. Hits are reported with their
place and a masked value, never the value itself (the report goes to CI logs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import JSON, Engine, MetaData, String, Text, select

REPO = Path(__file__).resolve().parent.parent
CURATED = (
    REPO / "knowledge_base" / "content",
    REPO / "assistant" / "messages",
    REPO / "assistant" / "safeguarding",
    REPO / "assistant" / "cv_review" / "messages",
)

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# +44 or 0, then 9–10 more digits in the usual groupings (mobiles 07…, geographic 01/02/03, 08)
UK_PHONE = re.compile(r"(?<![\w+.,])(?:\+44\s?(?:\(0\)\s?)?|0)(?:\d[\s-]?){9,10}(?![\d.,]\d)(?!\d)")
# HMRC's format: no D, F, I, Q, U, V in the prefix, no O second, no BG/GB/KN/NK/NT/TN/ZZ
NINO = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D](?![A-Za-z0-9])"
)
PATTERNS = {"email": EMAIL, "uk_phone": UK_PHONE, "nino": NINO}
ALLOWED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "localhost", "test")
_CHUNK = 1 << 20


def _norm(kind: str, value: str) -> str:
    if kind == "uk_phone":
        digits = re.sub(r"\D", "", value)
        return "0" + digits[2:] if digits.startswith("44") else digits
    return re.sub(r"\s", "", value).casefold()


def _mask(kind: str, value: str) -> str:
    v = value.strip()
    if kind == "email":
        user, _, domain = v.partition("@")
        return f"{user[:1]}***@***{domain[-4:]}"
    return f"{v[:2]}***{v[-2:]}"


@dataclass(frozen=True)
class Hit:
    kind: str  # "email" | "uk_phone" | "nino"
    where: str  # "db:messages.text#12", "file:data/x.log@offset"
    masked: str

    def __str__(self) -> str:
        return f"{self.kind:8} {self.where}  {self.masked}"


@dataclass
class ScanReport:
    hits: list[Hit] = field(default_factory=list)
    scanned: dict[str, int] = field(default_factory=lambda: {"rows": 0, "files": 0, "bytes": 0})

    @property
    def clean(self) -> bool:
        return not self.hits


class PrivacyScanner:
    def __init__(
        self, allowed: set[tuple[str, str]] | None = None, exclude: set[str] | None = None
    ) -> None:
        self.allowed = curated_contacts() if allowed is None else allowed
        self.exclude = exclude or set()  # folder names to skip

    def find(self, text: str) -> Iterator[tuple[str, str, int]]:
        for kind, rx in PATTERNS.items():
            for m in rx.finditer(text):
                value = m.group(0)
                if kind == "email" and value.rsplit("@", 1)[-1].casefold().endswith(
                    ALLOWED_EMAIL_DOMAINS
                ):
                    continue
                if (kind, _norm(kind, value)) in self.allowed:
                    continue
                yield kind, value, m.start()

    def scan_database(self, engine: Engine, report: ScanReport) -> None:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                cols = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
                if not cols:
                    continue
                pk = list(table.primary_key.columns)
                for row in conn.execute(select(*pk, *cols)).yield_per(1000):
                    report.scanned["rows"] += 1
                    key = ",".join(str(v) for v in row[: len(pk)])
                    for col, value in zip(cols, row[len(pk) :], strict=True):
                        if value is None:
                            continue
                        for kind, found, _ in self.find(str(value)):
                            report.hits.append(
                                Hit(kind, f"db:{table.name}.{col.name}#{key}", _mask(kind, found))
                            )

    def scan_path(self, root: Path, report: ScanReport) -> None:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        files = [p for p in files if not self.exclude.intersection(p.relative_to(root).parts[:-1])]
        for path in files:
            report.scanned["files"] += 1
            self._scan_file(path, report)

    def _scan_file(self, path: Path, report: ScanReport) -> None:
        seen: set[tuple[str, str]] = set()  # each value once per file
        try:
            with path.open("rb") as f:
                offset, tail = 0, b""
                while chunk := f.read(_CHUNK):
                    report.scanned["bytes"] += len(chunk)
                    data = tail + chunk
                    for kind, found, at in self.find(data.decode("utf-8", errors="replace")):
                        key = (kind, _norm(kind, found))
                        if key not in seen:
                            seen.add(key)
                            where = f"file:{path}@~{max(0, offset - len(tail) + at)}"
                            report.hits.append(Hit(kind, where, _mask(kind, found)))
                    tail = data[-200:]  # a match across the boundary is found with the next chunk
                    offset += len(chunk)
        except OSError:
            return


def curated_contacts(folders: Iterable[Path] = CURATED) -> set[tuple[str, str]]:
    """(kind, normalised value) of every contact detail in Harbour's own published texts."""
    allowed: set[tuple[str, str]] = set()
    scanner = PrivacyScanner(allowed=set())
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if path.suffix in {".md", ".yaml", ".yml"}:
                for kind, value, _ in scanner.find(path.read_text(encoding="utf-8")):
                    allowed.add((kind, _norm(kind, value)))
    return allowed
