"""The chat page's pure rendering (ui.render) and its handlers, with a stub assistant:
markers, quote and span highlighting, escaping, not-found, copy text, friendly errors."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.errors import IndexStateError, QuestionError
from rag.types import Answer, Citation, Document, DocumentMeta, Paragraph, Passage
from ui import render

QUOTE = "扩大与“金砖”国家友城结好，力争与俄罗斯和印度缔结省级友城；"
PARA = "同时，善用金砖合作平台。" + QUOTE + "促进海洋经济合作。"
CITE = Citation(
    doc="000_a.txt", title="福建省外办2017年工作要点", paragraph=11, section="一、拓展渠道 › (一)服务金砖",
    lines=(24, 26), quote=QUOTE, text=PARA, span=(17, 23),
)
FOUND = Answer("福建2017年力争与哪些国家缔结省级友城？", QUOTE + "[1]", True, [CITE])


def _doc(texts: list[str], name: str = "000_a.txt") -> Document:
    paragraphs = tuple(
        Paragraph(name, i, t, (i * 2, i * 2 + 1), ("一、拓展渠道",) if i > 1 else (), is_heading=i == 1)
        for i, t in enumerate(texts, start=1)
    )
    meta = DocumentMeta(title="福建省外办2017年工作要点", office="福建省外办", number="闽政外秘〔2017〕11号", region="福建")
    return Document(name, meta, paragraphs, fingerprint="x")


def test_chat_markdown_keeps_markers_as_superscripts_and_escapes_markdown() -> None:
    answer = Answer("q", "a *b* <i>x</i>[1]；c[2]", True, [CITE, CITE])
    md = render.chat_markdown(answer)
    assert '<sup class="cite">[1]</sup>' in md and '<sup class="cite">[2]</sup>' in md
    assert "<i>" not in md and r"\<i\>" in md
    assert r"\*b\*" in md


def test_an_english_answer_shows_its_chinese_quote_beneath_the_english_as_a_quote() -> None:
    answer = Answer("Which countries?", f"Russia (俄罗斯) and India (印度)\n“{QUOTE}” [1]", True, [CITE])
    md = render.chat_markdown(answer)
    lead, quote = md.split("\n", 1)
    assert lead.startswith("Russia") and "印度" in lead  # the English lead is a line of its own, no quote
    assert quote.startswith("> “") and '<sup class="cite">[1]</sup>' in quote
    chinese = render.chat_markdown(Answer("“十四五”期间有哪些目标？", "“十四五”期间新增友城10对[1]", True, [CITE]))
    assert not chinese.startswith(">")  # a Chinese answer that opens with a quote is no block quote


def test_chat_markdown_notes_rewritten_question_and_fallback() -> None:
    answer = Answer("那湖南呢？", "x[1]", True, [CITE], rewritten="湖南有多少友城？", fallback="no language model")
    md = render.chat_markdown(answer)
    assert "湖南有多少友城？" in md and "understood as" in md
    assert "no language model" in md


def test_highlight_marks_quote_and_emphasises_span() -> None:
    out = render.highlight(PARA, QUOTE, CITE.span)
    assert "<mark>扩大与" in out
    assert "<strong>俄罗斯和印度</strong>" in out
    assert out.index("<mark>") < out.index("<strong>") < out.index("</strong>") < out.index("</mark>")
    assert out.startswith("同时") and out.endswith("促进海洋经济合作。")


def test_highlight_without_span_or_with_a_missing_quote() -> None:
    assert "<strong>" not in render.highlight(PARA, QUOTE, None)
    assert "<mark>" in render.highlight(PARA, QUOTE, None)
    assert render.highlight(PARA, "不在文中", (0, 2)) == PARA
    assert "<strong>" not in render.highlight(PARA, QUOTE, (5, 999))  # a span outside the quote is ignored


def test_document_text_is_html_escaped() -> None:
    evil = "<script>alert(1)</script>&“引号”"
    cite = Citation("d.txt", "<b>标题</b>", 1, "<i>节</i>", (1, 1), evil, "前" + evil + "后", (0, 8))
    answer = Answer("q", "x[1]", True, [cite])
    for out in (render.sources_html(answer), render.highlight(cite.text, cite.quote, cite.span),
                render.reader_html(_doc([evil]), 1, evil, None)):
        assert "<script>" not in out and "<b>标题" not in out and "<i>节" not in out
        assert "&lt;" in out and "&amp;" in out


def test_sources_panel_lists_cited_paragraphs() -> None:
    out = render.sources_html(FOUND)
    assert 'data-index="0"' in out and "[1]" in out
    assert "福建省外办2017年工作要点" in out and "一、拓展渠道 › (一)服务金砖" in out
    assert "¶11" in out and "L24–26" in out and "000_a.txt" in out
    assert "<strong>俄罗斯和印度</strong>" in out
    assert "not-found" not in out


def test_not_found_says_so_and_lists_possibly_related() -> None:
    related = Citation("001_b.txt", "厦门市外办工作总结", 13, "一、总结", (28, 28), "挂牌成立。", "外办挂牌成立。")
    answer = Answer("厦门市外办2020年的外事接待经费有多少万元？", "文件中没有找到这个问题的答案。\n可能相关的段落：\n[1] 厦门 ¶13", False, [related])
    out = render.sources_html(answer)
    assert "文件中没有找到这个问题的答案" in out and "The documents do not contain" in out
    assert "Possibly related" in out and "¶13" in out
    assert "<strong>" not in out
    assert "可能相关 Possibly related:" in render.copy_text(answer)


def test_not_found_without_citations_falls_back_to_passages() -> None:
    passage = Passage("002_c.txt", "湖南规划", "一、基础", (21,), "全省国际友城数量达到69对。", 0.5, (39, 39))
    answer = Answer("q", "The documents do not contain an answer to this question.", False, [], [passage])
    cards = render.source_cards(answer)
    assert [c.citation.paragraph for c in cards] == [21]
    assert "¶21" in render.sources_html(answer)


def test_empty_panels_before_any_question() -> None:
    assert "appear here" in render.sources_html(None)
    assert "Click a source" in render.reader_html(None)


def test_reader_shows_every_paragraph_and_highlights_the_cited_one() -> None:
    doc = _doc(["一、拓展渠道", "第一段。", PARA, "最后一段。"])
    out = render.reader_html(doc, 3, QUOTE, (17, 23))
    for n in range(1, 5):
        assert f'id="para-{n}"' in out and f"¶{n}" in out
    assert out.count(" hl") == 1
    assert 'class="para hl" id="para-3"' in out
    assert "<strong>俄罗斯和印度</strong>" in out
    assert "闽政外秘〔2017〕11号" in out and 'class="para heading"' in out


def test_copy_text_has_answer_and_numbered_sources() -> None:
    text = render.copy_text(FOUND)
    assert text.splitlines()[1] == "答 A: " + QUOTE + "[1]"
    assert "[1] 福建省外办2017年工作要点 › 一、拓展渠道 › (一)服务金砖 ¶11 (lines 24–26, 000_a.txt)" in text
    assert f"“{QUOTE}”" in text
    assert "<" not in text


@pytest.mark.parametrize("text", ["", "短", "abc[1]", "力争与俄罗斯和印度缔结省级友城[1]；另一句[2]。", "x" * 101])
def test_reveal_steps_grow_to_the_whole_text_and_never_split_a_marker(text: str) -> None:
    steps = render.reveal_steps(text)
    assert steps[-1] == text
    assert all(a == b[: len(a)] and len(a) < len(b) for a, b in zip(steps, steps[1:]))
    inside = {i for m in render.MARKER.finditer(text) for i in range(m.start() + 1, m.end())}
    assert all(len(s) not in inside for s in steps)


def test_error_messages_are_friendly() -> None:
    assert "Please check your question" in render.error_message(QuestionError("the question is empty"))
    assert "rag index" in render.error_message(IndexStateError("manifest does not match"))
    generic = render.error_message(KeyError("boom"))
    assert generic == render.GENERIC_ERROR and "boom" not in generic
    assert render.notice_html(None) == ""
    assert "&lt;b&gt;" in render.notice_html("<b>")


# The handlers, driven by a stub assistant (no model, no server).

class StubAssistant:
    def __init__(self, result: Answer | Exception) -> None:
        self.result = result
        self.calls: list[dict] = []
        # ¶11 of the stub document is the paragraph CITE quotes.
        self.corpus = SimpleNamespace(document=lambda name: _doc(["一、拓展渠道"] + ["一段。"] * 9 + [PARA], name))

    def answer(self, question: str, **kwargs) -> Answer:
        self.calls.append({"question": question, **kwargs})
        if isinstance(self.result, Exception):
            raise self.result
        return self.result

    def stream(self, question: str, **kwargs):
        """As the assistant streams: verified partial texts (generative mode), then the answer."""
        answer = self.answer(question, **kwargs)
        if kwargs.get("mode") == "generative":
            first = answer.text.split("。")[0] + "。"
            yield first
        yield answer


def _run(assistant: StubAssistant, question: str, turns=None, documents=None, regions=None) -> list[tuple]:
    from ui.handlers import Handlers

    return list(Handlers(assistant, reveal_delay=0).ask(question, turns, documents, regions, None, "extractive"))


def test_ask_shows_status_then_answer_then_sources() -> None:
    stub = StubAssistant(FOUND)
    steps = _run(stub, FOUND.question, documents=["000"], regions=[])
    assert render.SEARCHING in steps[0][0][-1]["content"]
    chat, box, notice, sources, copy, turns, shown, _tabs = steps[-1]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert '<sup class="cite">[1]</sup>' in chat[1]["content"]
    assert box == "" and notice == "" and "¶11" in sources and "[1] " in copy
    assert shown is FOUND and turns[0].question == FOUND.question
    assert stub.calls[0]["filters"] == {"documents": ["000"], "regions": [], "years": []}
    assert len(steps) > 2  # the answer is revealed in steps


def test_ask_passes_earlier_turns_as_history() -> None:
    from ui.handlers import Turn

    stub = StubAssistant(FOUND)
    _run(stub, "那湖南呢？", turns=[Turn("第一个问题", FOUND)])
    assert stub.calls[0]["history"] == [("第一个问题", FOUND.text)]
    assert stub.calls[0]["filters"] is None


@pytest.mark.parametrize("error, expected", [
    (QuestionError("the question is empty; ask something about the documents"), "Please check your question"),
    (RuntimeError("secret internals"), "Something went wrong"),
])
def test_ask_turns_errors_into_a_notice(error: Exception, expected: str) -> None:
    steps = _run(StubAssistant(error), "   ")
    assert len(steps) == 1  # a blank question shows no pending chat turn
    chat, box, notice = steps[0][:3]
    assert chat == [] and expected in notice and "secret internals" not in notice
    assert box == "   "  # the question stays for the user to fix


def test_open_source_renders_the_document_at_the_paragraph() -> None:
    import gradio as gr

    from ui.handlers import Handlers

    reader, _tabs, notice = Handlers(StubAssistant(FOUND)).open_source(FOUND, gr.EventData(None, {"index": 0}))
    assert 'class="para hl" id="para-11"' in reader and "<strong>俄罗斯和印度</strong>" in reader and notice == ""
    skipped = Handlers(StubAssistant(FOUND)).open_source(FOUND, gr.EventData(None, {"index": 5}))
    assert skipped[2] == gr.skip()


def test_a_generated_answer_streams_its_verified_sentences() -> None:
    from ui.handlers import Handlers

    stub = StubAssistant(FOUND)
    steps = list(Handlers(stub, reveal_delay=0).ask(FOUND.question, None, None, None, None, "generative"))
    assert stub.calls[0]["mode"] == "generative"
    partial = steps[1][0][-1]["content"]
    assert partial.endswith("▌") and FOUND.text.split("。")[0][:10] in partial
    final = steps[-1][0][-1]["content"]
    assert "▌" not in final and steps[-1][6] is FOUND
    assert len(steps) == 3  # status, the streamed sentence, the answer: no simulated reveal on top


def test_removed_sentences_are_noted_under_the_answer() -> None:
    from dataclasses import replace as _replace

    shown = render.chat_markdown(_replace(FOUND, removed="1 generated sentence(s) removed: '巴西…': no citation"))
    assert "removed as unsupported" in shown and "巴西" in shown
