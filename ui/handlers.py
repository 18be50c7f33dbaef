"""The chat page's event handlers, in terms of plain values: what each event shows.

They call only the assistant's public methods; errors become a notice in the page.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Sequence

import gradio as gr

from rag.errors import RagError
from rag.types import Answer
from ui import render

log = logging.getLogger("rag.ui")

SOURCES_TAB, READER_TAB = "sources-tab", "reader-tab"


@dataclass(frozen=True)
class Turn:
    """One question and its answer, as kept in the session."""

    question: str
    answer: Answer


def messages(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """The chatbot's messages (role/content dicts) for the turns so far."""
    out: list[dict[str, str]] = []
    for t in turns:
        out.append({"role": "user", "content": render.escape_markdown(t.question)})
        out.append({"role": "assistant", "content": render.chat_markdown(t.answer)})
    return out


class Handlers:
    """What the page does on ask, source click, message select and clear.

    ``ask`` yields, in order: chatbot messages, question box, notice, sources panel,
    copy text, turns, shown answer, side tabs.
    """

    def __init__(self, assistant: Any, reveal_delay: float = 0.06) -> None:
        self.assistant = assistant
        self.reveal_delay = reveal_delay

    def ask(
        self, question: str | None, turns: list[Turn] | None, documents: list[str] | None,
        regions: list[str] | None, years: list[int] | None, mode: str | None = None,
    ) -> Iterator[tuple]:
        """Answer ``question`` with the earlier turns as history, showing progress as it goes."""
        turns = list(turns or [])
        question = question or ""
        before = messages(turns)
        asked = {"role": "user", "content": render.escape_markdown(question.strip())}
        skip = gr.skip()
        if question.strip():
            status = before + [asked, {"role": "assistant", "content": render.SEARCHING}]
            yield status, "", "", skip, skip, skip, skip, skip
        answer = None
        streamed = False
        try:
            # A generated answer arrives sentence by sentence, each verified before it is shown.
            for piece in self.assistant.stream(
                question,
                history=[(t.question, t.answer.text) for t in turns],
                mode=mode or None,
                filters=_filters(documents, regions, years),
            ):
                if isinstance(piece, str):
                    streamed = True
                    partial = render.chat_markdown(Answer(question, piece, True)) + " ▌"
                    yield before + [asked, {"role": "assistant", "content": partial}], "", "", skip, skip, skip, skip, skip
                else:
                    answer = piece
        except Exception as exc:  # noqa: BLE001 - every failure becomes a notice, never a traceback
            if not isinstance(exc, RagError):
                log.exception("answering %r failed", question[:200])
            yield before, question, render.notice_html(render.error_message(exc)), skip, skip, skip, skip, skip
            return
        assert answer is not None
        for prefix in [] if streamed else render.reveal_steps(answer.text)[:-1]:
            partial = render.chat_markdown(replace(answer, text=prefix, rewritten=None, fallback=None)) + " ▌"
            yield before + [asked, {"role": "assistant", "content": partial}], "", "", skip, skip, skip, skip, skip
            time.sleep(self.reveal_delay)
        turns.append(Turn(question.strip(), answer))
        yield (
            messages(turns), "", "", render.sources_html(answer), render.copy_text(answer),
            turns, answer, gr.Tabs(selected=SOURCES_TAB),
        )

    def open_source(self, shown: Answer | None, evt: gr.EventData) -> tuple:
        """Open the clicked source's document in the reader, at the cited paragraph.

        Yields, in order: reader, side tabs, notice.
        """
        cards = render.source_cards(shown) if shown is not None else []
        try:
            index = int(getattr(evt, "index", -1))
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < len(cards):
            return gr.skip(), gr.skip(), gr.skip()
        c = cards[index].citation
        try:
            document = self.assistant.corpus.document(c.doc)
        except Exception as exc:  # noqa: BLE001
            if not isinstance(exc, RagError):
                log.exception("opening %s failed", c.doc)
            return gr.skip(), gr.skip(), render.notice_html(render.error_message(exc))
        html = render.reader_html(document, c.paragraph, c.quote, c.span)
        return html, gr.Tabs(selected=READER_TAB), ""

    def show_turn(self, turns: list[Turn] | None, evt: gr.SelectData) -> tuple:
        """Show the sources of the answer whose message was clicked.

        Returns, in order: sources panel, copy text, shown answer, side tabs.
        """
        turns = turns or []
        index = evt.index if isinstance(evt.index, int) else -1
        if not 0 <= index // 2 < len(turns):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        answer = turns[index // 2].answer
        return render.sources_html(answer), render.copy_text(answer), answer, gr.Tabs(selected=SOURCES_TAB)

    def library(self) -> tuple:
        """The library panel as it is now: table, remove choices, document, region and year filters, the
        page's heading (with the number of documents)."""
        infos = self.assistant.documents()
        docs = [(f"{i.title} · {i.name}", i.name) for i in infos]
        regions = sorted({i.region for i in infos if i.region})
        years = sorted({y for d in self.assistant.corpus.documents for y in d.meta.years})
        return (render.library_html(infos, str(self.assistant.settings.docs_dir)),
                gr.Dropdown(choices=docs, value=None),
                gr.Dropdown(choices=[(_label(i), i.name) for i in infos]), gr.Dropdown(choices=regions),
                gr.Dropdown(choices=years), render.intro_markdown(len(infos)))

    def upload(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple:
        """Add the uploaded files to the library, re-index, and show what became of each.

        Returns, in order: report, library table, remove choices, document filter, region
        filter, the upload box (emptied).
        """
        files = [f for f in (files or []) if f]
        if not files:
            return (render.notice_html("选择或拖入文件 · Choose or drop files first."),) + self.library() + (None,)
        progress(0.0, desc=f"reading {len(files)} file(s)")
        try:
            report = self.assistant.add_documents(
                [(Path(f).name, Path(f)) for f in files],
                progress=lambda fraction, message: progress(fraction, desc=message),
            )
        except Exception as exc:  # noqa: BLE001 - a notice, never a traceback
            if not isinstance(exc, RagError):
                log.exception("adding %d files failed", len(files))
            return (render.notice_html(render.error_message(exc)),) + self.library() + (None,)
        return (render.library_report_html(report),) + self.library() + (None,)

    def remove(self, doc: str | None) -> tuple:
        """Remove the chosen document and re-index. Returns what :meth:`upload` returns, less the upload box."""
        if not doc:
            return (render.notice_html("选择要移除的文件 · Choose a document to remove."),) + self.library()
        try:
            report = self.assistant.remove_document(doc)
        except Exception as exc:  # noqa: BLE001
            if not isinstance(exc, RagError):
                log.exception("removing %s failed", doc)
            return (render.notice_html(render.error_message(exc)),) + self.library()
        return (render.library_report_html(report),) + self.library()

    @staticmethod
    def clear() -> tuple:
        """A fresh conversation: chatbot, question, notice, sources, copy, turns, shown, reader."""
        return [], "", "", render.sources_html(None), "", [], None, render.reader_html(None)


def _label(info: Any) -> str:
    """A document's name in the filter: its title, with its region when the title hides it."""
    return info.title if not info.region or info.region in info.title else f"{info.title}（{info.region}）"


def _filters(documents: list[str] | None, regions: list[str] | None,
             years: list[int] | None = None) -> dict[str, list] | None:
    if not documents and not regions and not years:
        return None
    return {"documents": list(documents or []), "regions": list(regions or []), "years": [int(y) for y in years or []]}
