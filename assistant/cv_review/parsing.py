"""Turning an uploaded file into text, safely.

`CvParser` is the seam; `SubprocessCvParser` is the real one. PDF and DOCX go to a child
process (`worker.py`) that limits its own memory and CPU before reading the file, and is killed
after a wall-clock timeout, so a hostile file can cost one short-lived process and nothing else.
Plain text is decoded here (no parser involved).
"""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Protocol

from assistant.cv_review.errors import REASONS, CvFileProblem
from assistant.cv_review.files import decode_text
from assistant.cv_review.limits import CvLimits

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedCv:
    """Visible text of a CV (raw: it still holds personal data until redacted)."""

    text: str
    kind: str  # "pdf" | "docx" | "text"
    pages: int
    images: int = 0
    hidden: dict[str, int] = field(default_factory=dict)  # reason → characters left out


class CvParser(Protocol):
    """Extracts visible text, page count, images and hidden-text counts from a file."""

    def parse(self, data: bytes, kind: str) -> ParsedCv: ...


class SubprocessCvParser:
    def __init__(self, limits: CvLimits) -> None:
        self.limits = limits

    def parse(self, data: bytes, kind: str) -> ParsedCv:
        if kind == "text":
            return self._parse_text(data)
        result = self._run_worker(data, kind)
        if not result.get("ok"):
            reason = result.get("reason")
            raise CvFileProblem(reason if reason in REASONS else "corrupt", "worker")
        return ParsedCv(
            text=str(result["text"]),
            kind=kind,
            pages=int(result["pages"]),
            images=int(result["images"]),
            hidden={str(k): int(v) for k, v in dict(result["hidden"]).items()},
        )

    def _parse_text(self, data: bytes) -> ParsedCv:
        text = decode_text(data)
        if len(text) > self.limits.max_chars:
            raise CvFileProblem("too_many_chars", str(len(text)))
        pages = max(
            math.ceil(len(text.split()) / 550),
            math.ceil(len(text.splitlines()) / 60),
            text.count("\f") + 1,
        )
        if pages > self.limits.max_pages:
            raise CvFileProblem("too_many_pages", str(pages))
        return ParsedCv(text=text, kind="text", pages=pages)

    def _run_worker(self, data: bytes, kind: str) -> dict:
        cmd = [
            sys.executable,
            "-I",  # isolated: no user site, no PYTHON* variables, no current directory
            "-m",
            "assistant.cv_review.worker",
            kind,
            json.dumps(self.limits.as_dict()),
        ]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}
        try:
            proc = subprocess.run(
                cmd,
                input=data,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                timeout=self.limits.parse_timeout_s,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:  # run() has killed the child
            log.warning("CV parser timed out after %.1f s (%s)", self.limits.parse_timeout_s, kind)
            raise CvFileProblem("unsafe", "timeout") from exc
        if proc.returncode != 0:
            # killed by RLIMIT_CPU (SIGXCPU), out of memory, or crashed in the parser
            log.warning("CV parser exited with %s (%s)", proc.returncode, kind)
            raise CvFileProblem("unsafe" if proc.returncode < 0 else "corrupt", "worker exit")
        try:
            result = json.loads(proc.stdout)
        except ValueError as exc:
            raise CvFileProblem("corrupt", "worker output") from exc
        if not isinstance(result, dict):
            raise CvFileProblem("corrupt", "worker output")
        return result
