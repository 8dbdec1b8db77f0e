"""The safeguarding check: a multilingual lexicon plus similarity to curated exemplars.

Deterministic and local. The lexicon catches the phrasings we know; the exemplars catch
paraphrases in any language the embedder knows. A semantic match must be close to a danger
exemplar *and* closer to it than to every hard negative ("I need to renew my passport").
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from assistant.models import RedactedText, Severity, Verdict
from assistant.text import Lexicon, normalise
from knowledge_base.embeddings import Embedder

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class _Indicator:
    id: str
    severity: Severity
    lexicon: Lexicon


class SafeguardingDetector:
    def __init__(
        self,
        lexicon_path: Path = HERE / "lexicon.yaml",
        exemplars_path: Path | None = HERE / "exemplars.yaml",
        embedder: Embedder | None = None,
        semantic_threshold: float = 0.90,
        cache_dir: Path | None = None,
    ) -> None:
        data = yaml.safe_load(Path(lexicon_path).read_text(encoding="utf-8"))
        self._indicators = [
            _Indicator(i["id"], Severity(i["severity"]), Lexicon(i.get("terms") or {}))
            for i in data["indicators"]
        ]
        self._languages = sorted({lang for i in self._indicators for lang in i.lexicon.languages})
        self.embedder = embedder
        self.semantic_threshold = semantic_threshold
        self._positives: list[dict] = []
        self._pos_matrix = self._neg_matrix = None
        if embedder is not None and exemplars_path is not None:
            ex = yaml.safe_load(Path(exemplars_path).read_text(encoding="utf-8"))
            self._positives = list(ex.get("positive") or [])
            negatives = [n["text"] for n in ex.get("negative") or []]
            self._pos_matrix, self._neg_matrix = _embed_exemplars(
                embedder, [p["text"] for p in self._positives], negatives, cache_dir
            )

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self._indicators]

    def assess(self, text: str, language: str, redacted: RedactedText | None = None) -> Verdict:
        """Judge one message. `text` is the raw message (kept in memory only); the semantic
        check uses the redacted text so the embedding cache never holds personal data."""
        norm = normalise(text)
        severity = Severity.NONE
        indicators: list[str] = []
        methods: list[str] = []
        # Every language's terms are tried: messages mix languages and detection can be wrong.
        for ind in self._indicators:
            if ind.lexicon.matches(norm, self._languages):
                indicators.append(ind.id)
                severity = max(severity, ind.severity, key=lambda s: s.rank)
        if indicators:
            methods.append("lexicon")
        semantic = self._semantic(redacted.text if redacted else text)
        if semantic is not None:
            ind_id, sev = semantic
            if ind_id not in indicators:
                indicators.append(ind_id)
            severity = max(severity, sev, key=lambda s: s.rank)
            methods.append("semantic")
        return Verdict(severity, tuple(indicators), "+".join(methods))

    def _semantic(self, text: str) -> tuple[str, Severity] | None:
        if self.embedder is None or self._pos_matrix is None or not len(self._pos_matrix):
            return None
        q = self.embedder.embed_query(text)
        pos = self._pos_matrix @ q
        best = int(np.argmax(pos))
        best_neg = float(np.max(self._neg_matrix @ q)) if len(self._neg_matrix) else -1.0
        if pos[best] >= self.semantic_threshold and pos[best] > best_neg:
            p = self._positives[best]
            return p.get("indicator", "semantic"), Severity(p.get("severity", "high"))
        return None


def _embed_exemplars(
    embedder: Embedder, positives: list[str], negatives: list[str], cache_dir: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    """Embed the exemplars once per embedder and exemplar set; cached so start-up stays fast."""
    key = hashlib.sha256(
        json.dumps([embedder.id, positives, negatives], ensure_ascii=False).encode()
    ).hexdigest()[:16]
    path = cache_dir / f"safeguarding-exemplars-{key}.npz" if cache_dir else None
    if path is not None and path.exists():
        with np.load(path) as cached:
            return cached["positive"], cached["negative"]
    pos, neg = embedder.embed_passages(positives), embedder.embed_passages(negatives)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, positive=pos, negative=neg)
        tmp.replace(path)
    return pos, neg


class SafetyTexts:
    """Fixed, human-written safety texts; never generated."""

    def __init__(self, path: Path = HERE / "safety_text.yaml") -> None:
        self._texts: dict[str, dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))

    def get(self, language: str, severity: Severity) -> str:
        by_lang = self._texts.get(language) or self._texts["en"]
        return by_lang.get(severity.value) or self._texts["en"][severity.value]

    @property
    def languages(self) -> list[str]:
        return list(self._texts)
