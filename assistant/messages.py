"""Fixed service texts and page strings per language (assistant/messages/<code>.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.languages import SUPPORTED_LANGUAGES

HERE = Path(__file__).resolve().parent / "messages"


class Messages:
    def __init__(self, folder: Path = HERE) -> None:
        self._catalogs: dict[str, dict[str, Any]] = {}
        for code in SUPPORTED_LANGUAGES:
            path = folder / f"{code}.yaml"
            if path.exists():
                self._catalogs[code] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "en" not in self._catalogs:
            raise FileNotFoundError(f"{folder / 'en.yaml'} is required")

    def get(self, language: str, key: str) -> str:
        """`key` is dotted ("reply.no_answer"); falls back to English."""
        for code in (language, "en"):
            node: Any = self._catalogs.get(code, {})
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, str):
                return node
        raise KeyError(key)

    def catalog(self, language: str) -> dict[str, Any]:
        return self._catalogs.get(language) or self._catalogs["en"]

    @property
    def languages(self) -> list[str]:
        return list(self._catalogs)
