"""Where articles come from: the Markdown files under the content folder."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.schema import Article, load_articles


def load_sources(content_dir: Path) -> list[Article]:
    return load_articles(content_dir)
