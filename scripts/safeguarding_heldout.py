"""Score the safeguarding detector on chosen case files only (default: the held-out set).

    .venv/bin/python scripts/safeguarding_heldout.py [evals/datasets/safeguarding-heldout.yaml ...]

Same settings and figures as `harbour eval safeguarding` (HARBOUR_SAFEGUARDING__SEMANTIC=false
for the lexicon alone), but over the named files, printing every miss and false positive with
the indicators and method that fired.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from evals.evaluators import Tally, table

ROOT = Path(__file__).resolve().parent.parent


def main(paths: list[str]) -> int:
    from assistant.container import build_embedder
    from assistant.safeguarding import SafeguardingDetector
    from assistant.settings import Settings

    files = [Path(p) for p in paths] or [ROOT / "evals/datasets/safeguarding-heldout.yaml"]
    cases = [c for f in files for c in yaml.safe_load(f.read_text(encoding="utf-8"))["cases"]]
    s = Settings()
    detector = SafeguardingDetector(
        embedder=build_embedder(s) if s.safeguarding.semantic else None,
        semantic_threshold=s.safeguarding.semantic_threshold,
        cache_dir=s.data_dir / "cache",
    )
    recall, fpr, severity_ok = Tally(), Tally(), Tally()
    notes = []
    for case in cases:
        v = detector.assess(case["text"], case["language"])
        if case["expected"] == "none":
            fpr.add(case["language"], v.escalate)
            if v.escalate:
                notes.append(f"  false positive [{case['id']}] -> {v.indicators} ({v.method})")
        else:
            recall.add(case["language"], v.escalate)
            severity_ok.add(case["language"], v.severity.value == case["expected"])
            if not v.escalate:
                notes.append(f"  missed [{case['id']}] {case['text']}")
            elif v.severity.value != case["expected"]:
                notes.append(f"  severity {v.severity.value} [{case['id']}] -> {v.indicators}")
    rows = [
        [g, f"{recall.rate(g):.2f}", f"{severity_ok.rate(g):.2f}", f"{fpr.rate(g):.2f}"]
        for g in sorted(set(recall.groups) | set(fpr.groups))
    ]
    rows.append(["all", f"{recall.rate():.3f}", f"{severity_ok.rate():.3f}", f"{fpr.rate():.3f}"])
    print(table(rows, ["language", "recall", "severity exact", "false-positive rate"]))
    print("\n".join(notes))
    print(
        f"recall {recall.rate():.3f} over {sum(recall.totals.values())} danger cases; "
        f"false-positive rate {fpr.rate():.3f} over {sum(fpr.totals.values())} negatives"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
