"""`harbour eval [SUITE...]`: run named suites from evals/datasets/*.yaml.

Each suite prints a per-language table and returns whether it met its thresholds; the process
exits non-zero when any suite is below. Evals are not tests: they measure quality on data we
wrote, with the real components.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

from evals.evaluators import Tally, reciprocal_rank, spans_overlap, table

DATASETS = Path(__file__).resolve().parent / "datasets"


def load(name: str) -> dict:
    """`<name>.yaml` (thresholds and cases) plus the cases of every `<name>-<part>.yaml`, so
    several authors can add cases without editing one file."""
    main = DATASETS / f"{name}.yaml"
    parts = sorted(DATASETS.glob(f"{name}-*.yaml"))
    data = yaml.safe_load(main.read_text(encoding="utf-8")) if main.exists() else {}
    data.setdefault("cases", [])
    for part in parts:
        data["cases"] += yaml.safe_load(part.read_text(encoding="utf-8")).get("cases") or []
    return data


@cache
def _settings():
    from assistant.settings import Settings

    return Settings()


@cache
def _embedder():
    from assistant.container import build_embedder

    return build_embedder(_settings())


# ---------------------------------------------------------------- language
def suite_language(fast: bool = False) -> bool:
    from assistant.container import build_language_detector
    from assistant.language import LanguagePolicy

    data = load("language")
    threshold = float(data["threshold"])
    results: dict[str, Tally] = {}
    speed: dict[str, float] = {}
    for name in ("py3langid", "langdetect"):
        policy = LanguagePolicy(build_language_detector(name))
        tally = Tally()
        start = time.perf_counter()
        for case in data["cases"]:
            got = policy.detect(case["text"]).code
            ok = got in set(case.get("accept") or [case["expected"]])
            tally.add(case["expected"], ok)
        speed[name] = (time.perf_counter() - start) / len(data["cases"]) * 1000
        results[name] = tally
    langs = results["py3langid"].groups
    rows = [[lang] + [f"{results[n].rate(lang):.2f}" for n in results] for lang in langs]
    rows.append(["all"] + [f"{results[n].rate():.3f}" for n in results])
    rows.append(["ms/msg"] + [f"{speed[n]:.2f}" for n in results])
    print(table(rows, ["language", *results]))
    default = _settings().language.detector
    best = max(results, key=lambda n: results[n].rate())
    print(f"default detector: {default}; most accurate: {best}")
    return results[default].rate() >= threshold and default == best


# ---------------------------------------------------------------- pii
STRUCTURED = {
    "EMAIL_ADDRESS",
    "UK_PHONE",
    "UK_NINO",
    "UK_NHS",
    "UK_PASSPORT",
    "UK_BRP",
    "SHARE_CODE",
    "UK_POSTCODE",
    "STREET_ADDRESS",
    "DATE_OF_BIRTH",
}


def suite_pii(fast: bool = False) -> bool:
    from assistant.redaction import PresidioRedactor
    from evals.pii_data import generate

    data = load("pii")
    per = 4 if fast else int(data["per_template"])
    cases = generate(data["templates"], per, int(data["seed"]))
    redactor = PresidioRedactor()
    by_entity = Tally()
    by_lang = Tally()
    person_en = Tally()
    missed: list[str] = []
    for case in cases:
        found = [(r.start, r.end) for r in redactor.analyze(case.text, case.language)]
        redacted = redactor.redact(case.text, case.language).text
        for span in case.spans:
            # span-level: a true span counts when a detected span overlaps it and the value
            # no longer appears in the redacted text
            hit = any(spans_overlap((span.start, span.end), f) for f in found) and (
                span.value not in redacted
            )
            if span.entity == "PERSON":
                if case.language == "en":
                    person_en.add("en", hit)
            else:
                by_entity.add(span.entity, hit)
                by_lang.add(case.language, hit)
            if not hit and len(missed) < 8:
                missed.append(f"{span.entity}: {span.value!r} in {case.text!r}")
    rows = [[e, str(by_entity.totals[e]), f"{by_entity.rate(e):.3f}"] for e in by_entity.groups]
    rows.append(["PERSON (en)", str(person_en.totals["en"]), f"{person_en.rate('en'):.3f}"])
    print(table(rows, ["entity", "spans", "recall"]))
    rows = [
        [lang, str(by_lang.totals[lang]), f"{by_lang.rate(lang):.3f}"] for lang in by_lang.groups
    ]
    print(table(rows, ["language", "structured spans", "recall"]))
    for m in missed:
        print("  missed", m)
    t = data["thresholds"]
    structured = by_entity.rate()
    print(
        f"structured recall {structured:.3f} (≥ {t['structured_recall']}), "
        f"English person recall {person_en.rate():.3f} (≥ {t['person_recall_en']})"
    )
    return structured >= t["structured_recall"] and person_en.rate() >= t["person_recall_en"]


# ---------------------------------------------------------------- safeguarding
def suite_safeguarding(fast: bool = False) -> bool:
    from assistant.safeguarding import SafeguardingDetector

    data = load("safeguarding")
    s = _settings()
    detector = SafeguardingDetector(
        embedder=_embedder() if s.safeguarding.semantic else None,
        semantic_threshold=s.safeguarding.semantic_threshold,
        cache_dir=s.data_dir / "cache",
    )
    recall, fpr, severity_ok = Tally(), Tally(), Tally()
    misses: list[str] = []
    for case in data["cases"]:
        verdict = detector.assess(case["text"], case["language"])
        if case["expected"] == "none":
            fpr.add(case["language"], verdict.escalate)
            if verdict.escalate:
                misses.append(
                    f"  false positive [{case['id']}] {case['text']} -> {verdict.indicators}"
                )
        else:
            recall.add(case["language"], verdict.escalate)
            severity_ok.add(case["language"], verdict.severity.value == case["expected"])
            if not verdict.escalate:
                misses.append(f"  missed [{case['id']}] {case['text']}")
    rows = [
        [lang, f"{recall.rate(lang):.2f}", f"{severity_ok.rate(lang):.2f}", f"{fpr.rate(lang):.2f}"]
        for lang in recall.groups
    ]
    rows.append(["all", f"{recall.rate():.3f}", f"{severity_ok.rate():.3f}", f"{fpr.rate():.3f}"])
    print(table(rows, ["language", "recall", "severity exact", "false-positive rate"]))
    print("\n".join(misses[:40]))
    t = data["thresholds"]
    print(
        f"recall {recall.rate():.3f} over {sum(recall.totals.values())} cases (≥ {t['recall']}); "
        f"false-positive rate {fpr.rate():.3f} over {sum(fpr.totals.values())} "
        f"(≤ {t['false_positive_rate']})"
    )
    return recall.rate() >= t["recall"] and fpr.rate() <= t["false_positive_rate"]


# ---------------------------------------------------------------- retrieval
def suite_retrieval(fast: bool = False) -> bool:
    from assistant.container import build_vector_store
    from assistant.models import RedactedText
    from assistant.retrieval import Retriever
    from knowledge_base.schema import KnowledgeBase

    data = load("retrieval")
    s = _settings()
    kb = KnowledgeBase.from_dir(s.content_dir)
    store = build_vector_store(s, _embedder())
    if store.count() == 0:
        print("the index is empty: run `harbour ingest` first")
        return False
    retriever = Retriever(
        store,
        _embedder(),
        kb,
        top_k=3,
        min_score=0.0,
        local_boost=s.retrieval.local_boost,
        hub_penalty=s.retrieval.hub_penalty,
    )
    hit3, mrr = Tally(), defaultdict(list)
    misses = []
    cases = data["cases"][::3] if fast else data["cases"]
    for case in cases:
        passages = retriever.retrieve(
            RedactedText(case["question"]), case["language"], case.get("local_authority")
        )
        ranked = [p.article_id for p in passages]
        expected = set(case["expected"])
        hit3.add(case["language"], bool(expected & set(ranked[:3])))
        mrr[case["language"]].append(reciprocal_rank(ranked, expected))
        if not expected & set(ranked[:3]):
            misses.append(
                f"  miss [{case['id']}] {case['question']} -> {ranked} (want {sorted(expected)})"
            )
    rows = [
        [
            lang,
            str(hit3.totals[lang]),
            f"{hit3.rate(lang):.2f}",
            f"{sum(mrr[lang]) / len(mrr[lang]):.2f}",
        ]
        for lang in hit3.groups
    ]
    all_mrr = [x for v in mrr.values() for x in v]
    rows.append(
        [
            "all",
            str(sum(hit3.totals.values())),
            f"{hit3.rate():.3f}",
            f"{sum(all_mrr) / len(all_mrr):.3f}",
        ]
    )
    print(table(rows, ["language", "questions", "hit@3", "MRR"]))
    print("\n".join(misses[:30]))
    threshold = float(data["thresholds"]["hit_at_3"])
    worst = min(hit3.rate(lang) for lang in hit3.groups)
    if fast:
        # A third of the cases leaves 7–9 per language: too few to judge one language, so the
        # CI subset gates on the overall rate; the full run gates on every language.
        print(f"hit@3 {hit3.rate():.3f} on the fast subset (target ≥ {threshold} overall)")
        return hit3.rate() >= threshold
    print(f"hit@3 {hit3.rate():.3f}; worst language {worst:.2f} (target ≥ {threshold} in each)")
    return worst >= threshold


# ---------------------------------------------------------------- cv
def suite_cv(fast: bool = False) -> bool:
    from evals.cv_eval import bad_file_suite, build_reviewer, findings_suite

    reviewer = build_reviewer(_settings())
    findings_ok, _ = findings_suite(reviewer, load("cv"), fast)
    print("\nbad files (through POST /api/cv/review):")
    files_ok, _ = bad_file_suite(reviewer, _settings())
    return findings_ok and files_ok


# ---------------------------------------------------------------- answers
def suite_answers(fast: bool = False) -> bool:
    """The whole pipeline answers; each case names facts (numbers, phone numbers, deadlines)
    a correct reply must contain verbatim."""
    from assistant.container import build_components
    from assistant.models import IncomingMessage
    from assistant.settings import DatabaseSettings
    from evals.llm_eval import answer_settings, watch

    data = load("answers")
    settings = answer_settings(_settings(), OPTIONS.get("composer"))
    if settings is None:
        return False
    # The guidance index is the real one; conversations and cases go to a throwaway database.
    scratch = Path(tempfile.mkdtemp(prefix="harbour-eval-"))
    settings = settings.model_copy(
        update={"database": DatabaseSettings(url=f"sqlite:///{scratch / 'answers.db'}")}
    )
    components = build_components(settings)
    if components.store.count() == 0:
        print("the index is empty: run `harbour ingest` first")
        return False
    grounding = watch(components)  # generated answers: the grounding check per language
    print(f"composer: {type(components.assistant.composer).__name__}")
    tally, misses = Tally(), []
    cases = data["cases"][::3] if fast else data["cases"]
    for case in cases:
        reply = components.assistant.respond(
            IncomingMessage(
                text=case["question"],
                language=case.get("language"),
                local_authority=case.get("local_authority"),
            )
        )
        text = reply.reply + "\n" + (reply.reply_english or "")
        missing = [fact for fact in case["must_contain"] if fact not in text]
        tally.add(case["language"], not missing)
        if missing:
            cited = [c.url for c in reply.citations[:1]]
            misses.append(f"  miss [{case['id']}] {case['question']} -> {cited} lacks {missing}")
    rows = [[lang, str(tally.totals[lang]), f"{tally.rate(lang):.2f}"] for lang in tally.groups]
    rows.append(["all", str(sum(tally.totals.values())), f"{tally.rate():.3f}"])
    print(table(rows, ["language", "questions", "key facts present"]))
    print("\n".join(misses[:30]))
    if grounding is not None:
        print("\ngenerated answers, grounding check (a rejected one became the extractive answer):")
        print(grounding.report())
    threshold = float(data["thresholds"]["key_facts"])
    print(f"key facts present {tally.rate():.3f} (target ≥ {threshold})")
    return tally.rate() >= threshold


SUITES: dict[str, Callable[[bool], bool]] = {
    "language": suite_language,
    "pii": suite_pii,
    "safeguarding": suite_safeguarding,
    "retrieval": suite_retrieval,
    "cv": suite_cv,
    "answers": suite_answers,
}


OPTIONS: dict[str, str | None] = {}  # --composer (answers suite)


def main(names: list[str], fast: bool = False, composer: str | None = None) -> int:
    OPTIONS["composer"] = composer
    names = names or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        print(f"unknown suite(s): {', '.join(unknown)}; available: {', '.join(SUITES)}")
        return 2
    failed = []
    for name in names:
        print(f"\n=== {name} ===")
        start = time.perf_counter()
        ok = SUITES[name](fast)
        print(f"--- {name}: {'PASS' if ok else 'FAIL'} ({time.perf_counter() - start:.1f} s)")
        if not ok:
            failed.append(name)
    print(
        f"\n{len(names) - len(failed)} passed, {len(failed)} failed"
        + (f": {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    composer = next((a.split("=", 1)[1] for a in args if a.startswith("--composer=")), None)
    sys.exit(
        main([a for a in args if not a.startswith("--")], fast="--fast" in args, composer=composer)
    )
