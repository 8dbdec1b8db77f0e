import pytest

from assistant.redaction import PresidioRedactor


@pytest.fixture(scope="module")
def redactor():
    return PresidioRedactor()


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        (
            "email me at amina.okafor@example.co.uk please",
            "amina.okafor@example.co.uk",
            "<EMAIL_ADDRESS>",
        ),
        ("my number is 07700 900123", "07700 900123", "<UK_PHONE>"),
        ("call +44 7911 123456 after 5", "+44 7911 123456", "<UK_PHONE>"),
        ("NI number AB 12 34 56 C", "AB 12 34 56 C", "<UK_NINO>"),
        ("my NHS number is 943 476 5919", "943 476 5919", "<UK_NHS>"),
        ("passport 123456789 was taken", "123456789", "<UK_PASSPORT>"),
        ("BRP ZU1234567 expired", "ZU1234567", "<UK_BRP>"),
        ("share code W7A 4BC 9XD from my account", "W7A 4BC 9XD", "<SHARE_CODE>"),
        ("I moved to B15 2TT last week", "B15 2TT", "<UK_POSTCODE>"),
        ("I live at 12 Coventry Road with four others", "12 Coventry Road", "<STREET_ADDRESS>"),
        ("I was born on 12/03/1990 in Kerala", "12/03/1990", "<DATE_OF_BIRTH>"),
        ("Hello, my name is John Smith and I need help", "John Smith", "<PERSON>"),
    ],
)
def test_uk_identifiers_become_typed_placeholders(redactor, text, secret, placeholder):
    out = redactor.redact(text, "en")
    assert secret not in out.text
    assert placeholder in out.text


def test_identifiers_are_found_in_other_languages(redactor):
    out = redactor.redact("मेरा नाम Rahul है, मेरा फ़ोन +44 7911 123456 है", "hi")
    assert "+44 7911 123456" not in out.text and "Rahul" not in out.text
    out = redactor.redact("Jina langu ni Amina, barua pepe amina@example.com", "sw")
    assert "amina@example.com" not in out.text and "Amina," not in out.text


def test_invalid_nino_prefix_is_not_a_nino(redactor):
    assert "<UK_NINO>" not in redactor.redact("reference ZZ123456A", "en").text


def test_useful_words_survive(redactor):
    text = "My visa expires in 60 days, I live in Birmingham and work for a care home"
    assert redactor.redact(text, "en").text == text


def test_refuses_text_over_the_cap():
    small = PresidioRedactor(max_chars=100)
    with pytest.raises(ValueError, match="longer than 100"):
        small.redact("1 " * 200, "en")


class _CountingPipeline:
    """Stands in for the spaCy pipeline: counts full runs, tokenizes like the real one."""

    def __init__(self, nlp):
        self.nlp, self.runs = nlp, 0

    def __call__(self, text):
        self.runs += 1
        return self.nlp(text)

    def __getattr__(self, name):
        return getattr(self.nlp, name)


@pytest.fixture
def counted(redactor, monkeypatch):
    engine = redactor._analyzer.nlp_engine
    spy = _CountingPipeline(engine.nlp["en"])
    for code in list(engine.nlp):
        monkeypatch.setitem(engine.nlp, code, spy)
    return spy


def test_ner_runs_only_where_a_kept_name_can_occur(redactor, counted):
    # Devanagari and lower-case text: no name the redactor would keep, so no NER run …
    out = redactor.redact("मेरा पासपोर्ट नंबर 123456789 है, मालिक ने रख लिया", "hi")
    assert "123456789" not in out.text and "<UK_PASSPORT>" in out.text
    out = redactor.redact("my passport number is 123456789 and they kept it", "en")
    assert "<UK_PASSPORT>" in out.text
    assert counted.runs == 0
    # … while a capitalised Latin name inside another script still goes through the model.
    out = redactor.redact("मेरी मैनेजर Priya Sharma ने मेरा पासपोर्ट ले लिया", "hi")
    assert counted.runs == 1
    assert "Priya Sharma" not in out.text and "<PERSON>" in out.text


def test_hidden_modules_come_back_after_presidio_is_imported():
    import sys

    from assistant.redaction import _hidden_modules

    name = "json.tool"  # importable, and not imported by the suite
    sys.modules.pop(name, None)
    with _hidden_modules((name,)), pytest.raises(ImportError):
        __import__(name)
    assert __import__(name) and sys.modules[name] is not None
    already = sys.modules["json"]
    with _hidden_modules(("json",)):  # a module already loaded is left alone
        assert sys.modules["json"] is already
