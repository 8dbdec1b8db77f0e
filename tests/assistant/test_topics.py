import pytest

from assistant.models import RedactedText
from assistant.topics import CATEGORIES, TopicCategoriser


@pytest.fixture(scope="module")
def topics():
    return TopicCategoriser()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("My employer lost its sponsor licence, what happens to my visa?", "visa_immigration"),
        ("मेरी तनख्वाह नहीं मिली", "employment_rights"),
        ("How do I register with a GP?", "health_wellbeing"),
        ("I want to exchange my driving licence", "transport_driving"),
        ("My landlord wants me out of the house", "housing"),
    ],
)
def test_messages_get_their_category(topics, text, category):
    assert category in topics.categorise(RedactedText(text), "en")


def test_several_categories_and_none(topics):
    got = topics.categorise(RedactedText("My visa ends and my wife and children need a GP"), "en")
    assert {"visa_immigration", "family", "health_wellbeing"} <= set(got)
    assert topics.categorise(RedactedText("ok"), "en") == []
    assert set(got) <= set(CATEGORIES)
