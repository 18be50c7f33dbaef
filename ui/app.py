"""The Gradio chat page: ask, read the answer with its [n] markers, check the cited
paragraphs, open a source in its document.

``build_app`` lays the page out and wires it to :class:`ui.handlers.Handlers`; ``launch``
serves it on this machine only (never a public share link).
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui import render
from ui.handlers import READER_TAB, SOURCES_TAB, Handlers
from ui.style import PAGE_CSS, READER_CSS, READER_JS, SOURCES_CSS, SOURCES_JS

EXAMPLES = [
    "福建2017年力争与哪些国家缔结省级友城？",
    "“十二五”末湖南全省国际友城数量达到多少对？",
    "厦门市外办的挂牌日期是哪天？",
    "How many new international sister cities does Zhoushan plan to establish during the 13th Five-Year Plan?",
    "When was the Xiamen Foreign Affairs Office inaugurated?",
    "厦门市外办2020年的外事接待经费有多少万元？",
]
CONCURRENCY = 4  # answering is read-only after warm_up, so sessions may run side by side


def build_app(assistant: Any) -> gr.Blocks:
    """The chat page for ``assistant``.

    Reads the corpus for the filter choices, so an assistant not yet warmed up is warmed here.

    Args:
        assistant: a :class:`rag.assistant.Assistant` (or anything with its public methods).
    Returns:
        The page, with its queue set up; serve it with :func:`launch` or ``.launch()``.
    """
    handlers = Handlers(assistant)
    documents = assistant.corpus.documents

    with gr.Blocks(title="政府文件问答 · Government documents assistant", analytics_enabled=False) as app:
        intro = gr.Markdown(render.intro_markdown(len(documents)), elem_id="intro")
        turns = gr.State([])
        shown = gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(
                    elem_id="chat", label="对话 · Conversation", height=460, feedback_options=None,
                    buttons=["copy", "copy_all"],
                    placeholder="问一个关于这些文件的问题。<br>Ask a question about the documents, in Chinese or English.",
                )
                notice = gr.HTML("", elem_id="notice", js_on_load=None)
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question", show_label=False, scale=8, max_lines=4, autofocus=True,
                        placeholder="输入问题，按回车 · Type a question and press Enter",
                    )
                    ask_btn = gr.Button("提问 Ask", variant="primary", scale=1, elem_id="ask", min_width=90)
                    clear_btn = gr.Button("清空 Clear", scale=1, elem_id="clear", min_width=90)
                examples = gr.Dataset(
                    label="示例问题 · Example questions (click to ask)", components=[question],
                    samples=[[q] for q in EXAMPLES], elem_id="examples", samples_per_page=len(EXAMPLES),
                )
                doc_filter, region_filter, year_filter, mode = _options(assistant)
                copy_box = gr.Textbox(
                    label="复制回答及出处 · Copy the answer with its sources", lines=5, max_lines=14,
                    interactive=False, buttons=["copy"], elem_id="copy",
                )
            with gr.Column(scale=4):
                tabs, sources, reader = _side_panel()
                library = _library_panel(handlers)

        ask_in = [question, turns, doc_filter, region_filter, year_filter, mode]
        ask_out = [chatbot, question, notice, sources, copy_box, turns, shown, tabs]
        for event in (question.submit, ask_btn.click):
            event(handlers.ask, ask_in, ask_out, show_progress="hidden")
        examples.click(lambda sample: sample[0], examples, question, queue=False).then(
            handlers.ask, ask_in, ask_out, show_progress="hidden"
        )
        sources.click(handlers.open_source, [shown], [reader, tabs, notice], show_progress="hidden")
        chatbot.select(handlers.show_turn, [turns], [sources, copy_box, shown, tabs], show_progress="hidden")
        upload_box, report, table, remove_choice, remove_btn = library
        shown_library = [report, table, remove_choice, doc_filter, region_filter, year_filter, intro]
        upload_box.upload(handlers.upload, [upload_box], shown_library + [upload_box], show_progress="full")
        remove_btn.click(handlers.remove, [remove_choice], shown_library, show_progress="full")
        cleared = [chatbot, question, notice, sources, copy_box, turns, shown, reader]
        clear_btn.click(handlers.clear, None, cleared, queue=False)
        chatbot.clear(handlers.clear, None, cleared, queue=False)
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def _options(assistant: Any) -> tuple[gr.Dropdown, gr.Dropdown, gr.Dropdown, gr.Radio]:
    """The filters (documents, regions, years, from the library) and the answer mode, folded away."""
    documents = assistant.corpus.documents
    doc_choices = [(d.meta.label, d.name) for d in documents]
    regions = sorted({d.meta.region for d in documents if d.meta.region})
    years = sorted({y for d in documents for y in d.meta.years})
    with gr.Accordion("筛选与模式 · Filters and mode", open=False, elem_id="options"):
        doc_filter = gr.Dropdown(doc_choices, multiselect=True, label="文件 · Documents", elem_id="doc-filter")
        region_filter = gr.Dropdown(regions, multiselect=True, label="地区 · Regions", elem_id="region-filter")
        year_filter = gr.Dropdown(years, multiselect=True, label="年份 · Years", elem_id="year-filter")
        mode = gr.Radio(
            ["extractive", "generative"], value=assistant.settings.mode.value,
            label="回答方式 · Answer mode", elem_id="mode",
        )
    return doc_filter, region_filter, year_filter, mode


def _side_panel() -> tuple[gr.Tabs, gr.HTML, gr.HTML]:
    """Two tabs: the sources of the shown answer (clickable cards) and the document reader."""
    with gr.Tabs(selected=SOURCES_TAB) as tabs:
        with gr.Tab("来源 · Sources", id=SOURCES_TAB):
            sources = gr.HTML(
                render.sources_html(None), elem_id="sources", css_template=SOURCES_CSS, js_on_load=SOURCES_JS
            )
        with gr.Tab("原文 · Reader", id=READER_TAB):
            reader = gr.HTML(
                render.reader_html(None), elem_id="reader", css_template=READER_CSS, js_on_load=READER_JS
            )
    return tabs, sources, reader


def _library_panel(handlers: Handlers) -> tuple:
    """The document library: upload (drag and drop), what became of each file, the documents
    with their metadata, and removing one. A new document answers at once."""
    infos = handlers.assistant.documents()
    types = " ".join(render.UPLOAD_TYPES)
    with gr.Accordion("文件库 · Library", open=False, elem_id="library"):
        gr.Markdown(f"上传文件（可拖入多个）· Upload documents (drag and drop several): {types}, "
                    f"up to {render.UPLOAD_LIMIT_MB} MB a file. 新文件立即可问 · New documents answer at once.")
        upload = gr.File(file_count="multiple", file_types=list(render.UPLOAD_TYPES), type="filepath",
                         label="上传 · Upload", elem_id="upload")
        report = gr.HTML("", elem_id="library-report")
        table = gr.HTML(render.library_html(infos, str(handlers.assistant.settings.docs_dir)), elem_id="library-table")
        with gr.Row():
            choice = gr.Dropdown([(f"{i.title} · {i.name}", i.name) for i in infos], label="移除文件 · Remove a document",
                                 elem_id="remove-choice", scale=4)
            remove = gr.Button("移除 Remove", variant="stop", elem_id="remove", scale=1, min_width=90)
    return upload, report, table, choice, remove


def launch(assistant: Any, host: str = "127.0.0.1", port: int = 7860, *, block: bool = True) -> gr.Blocks:
    """Serve the chat page for ``assistant`` at ``http://host:port`` (local only unless ``host`` says otherwise).

    Args:
        assistant: the assistant to answer with; warm it up first to avoid a slow first page.
        host: the address to bind to.
        port: the port to listen on.
        block: wait until the server is stopped (Ctrl+C); False returns at once, for tests.
    Returns:
        The running page (``.close()`` stops it).
    """
    app = build_app(assistant)
    app.launch(
        server_name=host, server_port=port, share=False, inbrowser=False, show_error=False,
        ssr_mode=False, quiet=True, css=PAGE_CSS, prevent_thread_lock=True,
        max_file_size=f"{render.UPLOAD_LIMIT_MB}mb",
        footer_links=[],
    )
    if block:
        app.block_thread()
    return app
