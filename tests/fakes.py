"""Deterministic fakes implementing the real protocols; used only in tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from assistant.composition import ComposedAnswer
from assistant.models import DetectedLanguage, Passage, RedactedText, Verdict


class HashEmbedder:
    """Bag-of-words hashing into 256 dims: texts sharing words are close. No model needed."""

    def __init__(self, dim: int = 256, id: str = "hash:256") -> None:
        self.dim = dim
        self.id = id
        self.passage_calls = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.casefold()):
            v[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passage_calls += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim))


class FakeComposer:
    """Records calls; can be told to fail, to prove the case is committed first."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[RedactedText, list[Passage], DetectedLanguage, Verdict]] = []
        self.fail = fail

    def compose(self, question, passages, language, verdict) -> ComposedAnswer:
        self.calls.append((question, passages, language, verdict))
        if self.fail:
            raise RuntimeError("composer down")
        return ComposedAnswer("fake reply", None, language.code, [], bool(passages))
