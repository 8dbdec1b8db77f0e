"""UK-style personal data for the `pii` eval, generated with Faker (seeded).

Faker's en_GB National Insurance numbers use the reserved ZZ prefix, which Presidio rightly
rejects, so valid-prefix NINOs are generated here. NHS numbers carry a valid check digit.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from faker import Faker

NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NINO_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if prefix not in NINO_BANNED:
            break
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    form = rng.choice(["{p}{d}{s}", "{p} {d2} {d4} {d6} {s}"])
    return form.format(
        p=prefix, d=digits, d2=digits[:2], d4=digits[2:4], d6=digits[4:], s=rng.choice("ABCD")
    )


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            s = "".join(map(str, digits)) + str(check)
            return rng.choice([s, f"{s[:3]} {s[3:6]} {s[6:]}"])


def uk_mobile(rng: random.Random) -> str:
    n = "7" + "".join(rng.choice(string.digits) for _ in range(9))
    return rng.choice([f"0{n[:4]} {n[4:]}", f"+44 {n[:4]} {n[4:]}", f"0{n}", f"+44{n}"])


def brp(rng: random.Random) -> str:
    return (
        "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
        + rng.choice(["X", str(rng.randint(0, 9))])
        + "".join(rng.choice(string.digits) for _ in range(6))
    )


def share_code(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = "W" + "".join(rng.choice(alphabet) for _ in range(8))
        if sum(c.isdigit() for c in code) >= 3 and sum(c.isalpha() for c in code) >= 2:
            return rng.choice([code, f"{code[:3]} {code[3:6]} {code[6:]}"])


def passport(rng: random.Random) -> str:
    return "".join(rng.choice(string.digits) for _ in range(9))


def dob(rng: random.Random, fake: Faker) -> str:
    d = fake.date_of_birth(minimum_age=20, maximum_age=60)
    return rng.choice([d.strftime("%d/%m/%Y"), d.strftime("%d %B %Y"), d.strftime("%-d %b %Y")])


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class PiiCase:
    text: str
    language: str
    spans: tuple[Span, ...]


def generate(templates: list[dict], per_template: int, seed: int = 7) -> list[PiiCase]:
    """Fill each template's {slots}; the true span of every value is recorded."""
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    makers = {
        "PERSON": lambda: fake.name(),
        "FIRST_NAME": lambda: fake.first_name(),
        "EMAIL_ADDRESS": lambda: fake.email(),
        "UK_PHONE": lambda: uk_mobile(rng),
        "UK_NINO": lambda: nino(rng),
        "UK_NHS": lambda: nhs_number(rng),
        "UK_PASSPORT": lambda: passport(rng),
        "UK_BRP": lambda: brp(rng),
        "SHARE_CODE": lambda: share_code(rng),
        "UK_POSTCODE": lambda: fake.postcode(),
        "STREET_ADDRESS": lambda: f"{rng.randint(1, 250)} {fake.street_name()}",
        "DATE_OF_BIRTH": lambda: dob(rng, fake),
    }
    cases = []
    for tpl in templates:
        for _ in range(per_template):
            text, spans, rest = "", [], tpl["text"]
            while "{" in rest:
                before, _, after = rest.partition("{")
                slot, _, rest = after.partition("}")
                text += before
                value = makers[slot]()
                entity = "PERSON" if slot == "FIRST_NAME" else slot
                spans.append(Span(entity, len(text), len(text) + len(value), value))
                text += value
            text += rest
            cases.append(PiiCase(text, tpl.get("language", "en"), tuple(spans)))
    return cases
