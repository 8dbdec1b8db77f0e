"""`harbour eval answers --composer llm|extractive`: which composer the answers suite runs, and
for generated answers the grounding check per language (accepted, rejected by a check, or the
model failing — both of the latter end in the extractive answer)."""

from __future__ import annotations

from collections import Counter, defaultdict

from evals.evaluators import table

COMPOSERS = ("extractive", "llm")


def answer_settings(settings, composer: str | None):
    """`settings` for the chosen composer, or None (with the reason printed) when it can't be."""
    match composer:
        case None:
            return settings
        case "extractive":
            llm = settings.llm.model_copy(update={"model": None, "base_url": None})
            return settings.model_copy(update={"llm": llm})
        case "llm":
            if not settings.llm.model:
                print(
                    "--composer llm needs a model: set HARBOUR_LLM__MODEL (and "
                    "HARBOUR_LLM__BASE_URL for your own endpoint, HARBOUR_LLM__API_KEY where "
                    "it needs one)"
                )
                return None
            return settings
    print(f"unknown composer {composer!r}; choose one of {', '.join(COMPOSERS)}")
    return None


class GroundingTally:
    """Observer for OpenAICompatibleComposer: outcomes per language."""

    def __init__(self) -> None:
        self.by_language: dict[str, Counter[str]] = defaultdict(Counter)

    def __call__(self, language: str, outcome: str) -> None:
        self.by_language[language][outcome.split(":", 1)[0]] += 1
        self.by_language[language][outcome] += 1

    def report(self) -> str:
        rows, total = [], Counter()
        for lang in sorted(self.by_language):
            c = self.by_language[lang]
            total.update(c)
            rows.append(self._row(lang, c))
        rows.append(self._row("all", total))
        reasons = sorted(k for k in total if ":" in k and not k.startswith("skipped"))
        detail = ", ".join(f"{k} {total[k]}" for k in reasons)
        return (
            table(rows, ["language", "generated", "passed check", "rejected", "model failed",
                         "pass rate"])
            + (f"\n{detail}" if detail else "")
        )

    @staticmethod
    def _row(lang: str, c: Counter[str]) -> list[str]:
        judged = c["accepted"] + c["rejected"]
        rate = f"{c['accepted'] / judged:.2f}" if judged else "-"
        return [lang, str(judged + c["failed"]), str(c["accepted"]), str(c["rejected"]),
                str(c["failed"]), rate]


def watch(components) -> GroundingTally | None:
    """Attach a tally to the composer when it generates answers."""
    composer = components.assistant.composer
    if not hasattr(composer, "observer"):
        return None
    tally = GroundingTally()
    composer.observer = tally
    return tally
