"""Limits applied to every uploaded CV, before and while it is parsed."""

from __future__ import annotations

from dataclasses import asdict, dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class CvLimits:
    max_bytes: int = 5 * MB  # larger uploads get 413 before the body is read in full
    max_pages: int = 10
    max_chars: int = 50_000
    # decompression (DOCX members, PDF streams)
    max_uncompressed_bytes: int = 40 * MB  # sum over a DOCX's members / per PDF stream
    max_compression_ratio: int = 200  # per DOCX member larger than 1 MB uncompressed
    max_zip_members: int = 2_000
    # the parsing subprocess
    parse_timeout_s: float = 10.0  # wall clock, then the process is killed
    parse_cpu_s: int = 8  # RLIMIT_CPU
    parse_memory_mb: int = 768  # RLIMIT_AS

    def as_dict(self) -> dict:
        return asdict(self)
