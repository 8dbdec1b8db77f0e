"""The curated article: front matter, body and translations (see FORMAT.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import frontmatter
import yaml
from pydantic import BaseModel, Field, HttpUrl, field_validator

from assistant.languages import LOCAL_AUTHORITY_SLUGS, SUPPORTED_LANGUAGES

TOPICS = (
    "visa_immigration",
    "employment_rights",
    "housing",
    "health_wellbeing",
    "money",
    "safeguarding",
    "transport_driving",
    "english_training",
    "finding_work",
    "local_support",
)
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Translation(BaseModel):
    title: str
    key_points: list[str]
    questions: list[str] = Field(default_factory=list)


class Article(BaseModel):
    id: str
    title: str
    topic: str
    summary: str
    source_urls: list[HttpUrl] = Field(min_length=1)
    last_reviewed: dt.date
    review_by: dt.date
    local_authority: str | None = None
    confidence: str = ""
    key_points: list[str] = Field(min_length=1, max_length=8)
    questions: list[str] = Field(default_factory=list)
    body: str = ""
    translations: dict[str, Translation] = Field(default_factory=dict)
    path: str = ""

    @field_validator("id")
    @classmethod
    def _id_format(cls, v: str) -> str:
        if not ID_PATTERN.match(v):
            raise ValueError(f"id {v!r} must be kebab-case")
        return v

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, v: str) -> str:
        if v not in TOPICS:
            raise ValueError(f"topic {v!r} is not one of {', '.join(TOPICS)}")
        return v

    @field_validator("local_authority")
    @classmethod
    def _known_council(cls, v: str | None) -> str | None:
        if v is not None and v != "regional" and v not in LOCAL_AUTHORITY_SLUGS:
            raise ValueError(f"local_authority {v!r} is not a known council slug")
        return v

    @field_validator("translations")
    @classmethod
    def _known_languages(cls, v: dict[str, Translation]) -> dict[str, Translation]:
        unknown = set(v) - set(SUPPORTED_LANGUAGES)
        if unknown:
            raise ValueError(f"translations for unsupported languages: {sorted(unknown)}")
        return v

    def localised(self, language: str) -> Translation | None:
        """The article's title/key points in `language`, or None when not translated."""
        if language == "en":
            return Translation(
                title=self.title, key_points=self.key_points, questions=self.questions
            )
        tr = self.translations.get(language)
        if tr and len(tr.key_points) == len(self.key_points):
            return tr
        return None

    @property
    def url(self) -> str:
        return f"/guide/{self.id}"

    def content_hash(self) -> str:
        payload = self.model_dump_json(exclude={"path"})
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


class ArticleError(ValueError):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def load_article(path: Path) -> Article:
    """Parse one article and its `.tr.yaml` translations file beside it."""
    try:
        post = frontmatter.load(str(path))
    except Exception as exc:  # yaml errors come in many classes
        raise ArticleError(path, f"front matter does not parse: {exc}") from exc
    data = dict(post.metadata)
    tr_path = path.with_name(path.stem + ".tr.yaml")
    if tr_path.exists():
        try:
            data["translations"] = yaml.safe_load(tr_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ArticleError(tr_path, f"does not parse: {exc}") from exc
    try:
        article = Article(**data, body=post.content, path=str(path))
    except Exception as exc:
        raise ArticleError(path, str(exc)) from exc
    if article.id != path.stem:
        raise ArticleError(path, f"id {article.id!r} must equal the file name {path.stem!r}")
    if article.topic != path.parent.name:
        raise ArticleError(path, f"topic {article.topic!r} must equal its folder")
    return article


def load_articles(content_dir: Path) -> list[Article]:
    articles = [load_article(p) for p in sorted(Path(content_dir).glob("*/*.md"))]
    seen: dict[str, str] = {}
    for a in articles:
        if a.id in seen:
            raise ArticleError(Path(a.path), f"duplicate id {a.id!r} (also {seen[a.id]})")
        seen[a.id] = a.path
    return articles


class KnowledgeBase:
    """The loaded articles, by id. Small enough to keep in memory."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.id: a for a in articles}

    @classmethod
    def from_dir(cls, content_dir: Path) -> KnowledgeBase:
        return cls(load_articles(content_dir))

    def get(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def __len__(self) -> int:
        return len(self.articles)
