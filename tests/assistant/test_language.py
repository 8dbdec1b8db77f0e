import pytest

from assistant.language import LangdetectDetector, LanguagePolicy, Py3LangidDetector


@pytest.fixture(scope="module")
def policy():
    return LanguagePolicy(Py3LangidDetector())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("मेरे मालिक ने मेरी तनख्वाह नहीं दी है, क्या करूँ", "hi"),
        ("എന്റെ ശമ്പളം ഇതുവരെ കിട്ടിയിട്ടില്ല എന്ത് ചെയ്യണം", "ml"),
        ("ਮੇਰੀ ਤਨਖਾਹ ਦੋ ਮਹੀਨਿਆਂ ਤੋਂ ਨਹੀਂ ਮਿਲੀ", "pa"),
        ("میرے مالک نے میری تنخواہ نہیں دی", "ur"),
        ("Hindi pa binabayaran ang sahod ko ngayong buwan", "tl"),
        ("Mshahara wangu haujalipwa kwa miezi miwili sasa", "sw"),
        ("मेरो भिसा सकिँदैछ, म के गर्नु पर्छ?", "ne"),
        ("My employer has not paid my wages for two months", "en"),
    ],
)
def test_detects_supported_languages(policy, text, expected):
    got = policy.detect(text)
    assert got.code == expected
    assert got.supported


def test_explicit_language_wins(policy):
    got = policy.detect("My employer has not paid my wages", explicit="hi", fallback="ta")
    assert (got.code, got.source) == ("hi", "explicit")


@pytest.mark.parametrize("text", ["ok", "thank you", "👍", "  "])
def test_short_messages_keep_the_session_language(policy, text):
    got = policy.detect(text, fallback="ta")
    assert (got.code, got.source) == ("ta", "session")


def test_short_message_without_session_defaults_to_english(policy):
    assert policy.detect("ok").code == "en"


def test_romanised_hindi_is_recognised_and_keeps_urdu_sessions(policy):
    text = "Mujhe is mahine salary nahi mili, kya karun"
    assert policy.detect(text).code == "hi"
    assert policy.detect(text, fallback="ur").code == "ur"


def test_confident_unsupported_language_is_reported(policy):
    got = policy.detect("Bonjour, je cherche un nouveau travail dans une maison de soins")
    assert not got.supported
    assert got.code == "fr"


def test_langdetect_has_no_yoruba_but_does_not_raise_on_odd_input():
    d = LangdetectDetector()
    assert d.rank("12345 !!!") == []
    assert d.rank("") == []
    assert d.rank("Mshahara wangu haujalipwa kwa miezi miwili")[0][0] == "sw"


def test_langdetect_is_repeatable():
    d = LangdetectDetector()
    text = "Owo osu mi ko ti san fun osu meji"
    assert [d.rank(text) for _ in range(3)] == [d.rank(text)] * 3
