"""The languages Harbour supports and the West Midlands councils it serves."""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_LANGUAGES: dict[str, str] = {
    "en": "English",
    "hi": "Hindi",
    "ml": "Malayalam",
    "pa": "Punjabi",
    "gu": "Gujarati",
    "ur": "Urdu",
    "bn": "Bengali",
    "ta": "Tamil",
    "ne": "Nepali",
    "tl": "Tagalog",
    "yo": "Yoruba",
    "sn": "Shona",
    "sw": "Swahili",
}
RTL_LANGUAGES = frozenset({"ur"})


@dataclass(frozen=True)
class LocalAuthority:
    slug: str
    name: str


LOCAL_AUTHORITIES: tuple[LocalAuthority, ...] = (
    LocalAuthority("birmingham", "Birmingham"),
    LocalAuthority("coventry", "Coventry"),
    LocalAuthority("dudley", "Dudley"),
    LocalAuthority("herefordshire", "Herefordshire"),
    LocalAuthority("sandwell", "Sandwell"),
    LocalAuthority("shropshire", "Shropshire"),
    LocalAuthority("solihull", "Solihull"),
    LocalAuthority("staffordshire", "Staffordshire"),
    LocalAuthority("stoke-on-trent", "Stoke-on-Trent"),
    LocalAuthority("telford-and-wrekin", "Telford and Wrekin"),
    LocalAuthority("walsall", "Walsall"),
    LocalAuthority("warwickshire", "Warwickshire"),
    LocalAuthority("wolverhampton", "Wolverhampton"),
    LocalAuthority("worcestershire", "Worcestershire"),
)
LOCAL_AUTHORITY_SLUGS = frozenset(la.slug for la in LOCAL_AUTHORITIES)
