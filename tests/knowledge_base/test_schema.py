import re
from pathlib import Path

import pytest
import yaml

from assistant.settings import Settings
from knowledge_base.schema import ArticleError, load_article, load_articles

CONTENT = Settings().content_dir
VERIFIED = {
    re.sub(r"\D", "", n["number"])
    for n in yaml.safe_load((CONTENT.parent / "verified_numbers.yaml").read_text())
}
PHONE = re.compile(r"(?<!\d)(?:0\d{2,4}[ ]?\d{3,4}[ ]?\d{3,4}|116 ?123|85258)(?!\d)")


def test_every_article_loads_and_ids_are_unique():
    articles = load_articles(CONTENT)
    assert len(articles) >= 10
    assert len({a.id for a in articles}) == len(articles)


def test_phone_numbers_in_articles_are_all_verified():
    for path in CONTENT.glob("*/*"):
        text = path.read_text(encoding="utf-8")
        for number in PHONE.findall(text):
            assert re.sub(r"\D", "", number) in VERIFIED, f"{path.name}: unverified number {number}"


def test_translations_keep_key_point_count():
    for a in load_articles(CONTENT):
        for lang, tr in a.translations.items():
            assert len(tr.key_points) == len(a.key_points), f"{a.id} [{lang}]"


def _write(tmp_path: Path, front: str, topic: str = "housing", name: str = "a-b") -> Path:
    folder = tmp_path / topic
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(f"---\n{front}\n---\nBody\n", encoding="utf-8")
    return path


GOOD = """id: a-b
title: T
topic: housing
summary: S
source_urls: [https://www.gov.uk/x]
last_reviewed: 2026-11-22
review_by: 2027-05-22
key_points: [one, two, three]"""


def test_valid_article_parses(tmp_path):
    assert load_article(_write(tmp_path, GOOD)).key_points == ["one", "two", "three"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("topic: housing", "topic: gardening"), "topic"),
        (("source_urls: [https://www.gov.uk/x]", "source_urls: []"), "source_urls"),
        (("id: a-b", "id: A B"), "kebab"),
        (("title: T", "title: [unclosed"), "parse"),
    ],
)
def test_invalid_articles_say_what_is_wrong(tmp_path, change, message):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ArticleError, match=message):
        load_article(path)


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(ArticleError, match="file name"):
        load_article(_write(tmp_path, GOOD, name="other"))
