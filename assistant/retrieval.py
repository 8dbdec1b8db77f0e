"""Retrieve curated guidance for a (redacted) question, preferring the worker's council."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.models import Passage, RedactedText
from knowledge_base.embeddings import Embedder
from knowledge_base.schema import KnowledgeBase
from knowledge_base.store import VectorStore

_WORD = re.compile(r"\w+")
FOLLOW_UP_WORDS = 7  # a message this short is read together with the previous one


class Retriever:
    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder,
        kb: KnowledgeBase,
        top_k: int = 3,
        min_score: float = 0.80,
        local_boost: float = 0.02,
        candidates: int = 40,
        hub_penalty: float = 0.2,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.kb = kb
        self.top_k = top_k
        self.min_score = min_score
        self.local_boost = local_boost
        self.candidates = candidates
        # score = cosine - hub_penalty * hubness: documents near everything (a long list of
        # questions in one language) stop outranking the right article for unrelated questions.
        self.hub_penalty = hub_penalty

    def query_text(self, question: RedactedText, history: Sequence[RedactedText] = ()) -> str:
        """Follow-ups ("and for my wife?") are read with the previous user message."""
        if history and len(_WORD.findall(question.text)) <= FOLLOW_UP_WORDS:
            return f"{history[-1].text}\n{question.text}"
        return question.text

    def retrieve(
        self,
        question: RedactedText,
        language: str,
        local_authority: str | None,
        history: Sequence[RedactedText] = (),
    ) -> list[Passage]:
        vector = self.embedder.embed_query(self.query_text(question, history))
        best: dict[str, Passage] = {}
        for hit in self.store.query(vector, self.candidates):
            article = self.kb.get(hit.article_id)
            if article is None:  # index older than the content: ignore stale documents
                continue
            score = hit.score - self.hub_penalty * hit.hubness
            if article.local_authority and article.local_authority != "regional":
                if article.local_authority == local_authority:
                    score += self.local_boost
                else:
                    continue  # another council's page never answers this worker
            elif article.local_authority == "regional" and local_authority:
                score += self.local_boost / 2
            if hit.article_id not in best or score > best[hit.article_id].score:
                best[hit.article_id] = Passage(hit.article_id, score, hit.language)
        ranked = sorted(best.values(), key=lambda p: p.score, reverse=True)
        return [p for p in ranked if p.score >= self.min_score][: self.top_k]
