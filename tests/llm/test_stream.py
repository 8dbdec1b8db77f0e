"""Streaming: pieces of the answer as the model writes it, then the checked answer."""

from __future__ import annotations

from assistant.composition import ComposedAnswer, StreamingComposer
from assistant.llm_composer import partial_answer
from assistant.models import Severity, Verdict
from tests.llm.conftest import NONE, QUESTION, lang, passages
from tests.llm_server import Reply, answer_json

ANSWER = (
    "Your employer may only take money from your pay if the law requires it, your contract "
    "allows it, or you agreed in writing. Ask Acas on 0300 123 1100 for advice [S1]."
)


def stream(composer, language="en", verdict=NONE):
    items = list(composer.compose_stream(QUESTION, passages(), lang(language), verdict))
    *tokens, final = items
    assert isinstance(final, ComposedAnswer) and all(isinstance(t, str) for t in tokens)
    return tokens, final


def test_the_llm_composer_streams(make_composer):
    assert isinstance(make_composer(), StreamingComposer)


def test_tokens_arrive_in_pieces_then_the_final_answer(make_composer, llm_server):
    composer = make_composer()
    llm_server.push(Reply(answer_json(ANSWER, ""), chunk_chars=10))
    tokens, final = stream(composer)
    assert len(tokens) > 5
    streamed = "".join(tokens)
    # what streamed is the answer text, not JSON, and the final answer extends it
    assert not streamed.startswith("{") and '"answer"' not in streamed
    assert final.reply.startswith(streamed.rstrip())
    assert final.reply == ANSWER.replace(" [S1]", "")
    assert llm_server.requests[-1]["stream"] is True


def test_a_rejected_stream_ends_with_the_extractive_answer(
    make_composer, llm_server, extractive
):
    composer = make_composer()
    invented = ANSWER.replace("0300 123 1100", "0300 555 0199")
    llm_server.push(Reply(answer_json(invented, ""), chunk_chars=10))
    tokens, final = stream(composer)
    assert final == extractive.compose(QUESTION, passages(), lang("en"), NONE)
    # the invented number was never shown, even in the preview
    assert "555" not in "".join(tokens) and "0199" not in "".join(tokens)
    assert "…" in "".join(tokens)


def test_the_preview_is_plain_text(make_composer, llm_server):
    composer = make_composer()
    text = "Read <b>this</b> ![x](https://evil.example/p.png) and [more](https://evil.example) now [S1]. "
    llm_server.push(Reply(answer_json(text * 2, ""), chunk_chars=7))
    tokens, _ = stream(composer)
    streamed = "".join(tokens)
    assert "evil" not in streamed and "<b>" not in streamed and "[S1]" not in streamed


def test_escalated_streams_start_with_the_fixed_safety_text(make_composer, llm_server, safety):
    composer = make_composer()
    verdict = Verdict(Severity.URGENT, ("threats",), "lexicon")
    llm_server.push(Reply(answer_json(ANSWER, ANSWER), chunk_chars=10))
    tokens, final = stream(composer, "hi", verdict)
    assert tokens[0] == safety.get("hi", Severity.URGENT) + "\n\n"
    assert final.reply.startswith(safety.get("hi", Severity.URGENT))


def test_partial_answer_reads_the_answer_field_while_it_is_written():
    assert partial_answer('{"answer": "Hello wor') == "Hello wor"
    assert partial_answer('```json\n{"answer": "Hi", "sour') == "Hi"
    assert partial_answer('{"answ') is None
    assert partial_answer("Sure, here is") is None
