"""End to end: the chat page in headless Chromium (Debian's), driven by Playwright, over
the real seed corpus and embedder. Screenshots go to tests/artifacts/.

Needs the ``chromium`` Debian package and the ``playwright`` Python package (never
``playwright install``: no browser is downloaded). Without them the tests skip, or fail
when ``CI`` is set.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path
from typing import Iterator

import pytest

from ui.render import MARKER, lines_label, source_cards

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
FUJIAN = "福建2017年力争与哪些国家缔结省级友城？"
ZHOUSHAN_EN = "How many new international sister cities does Zhoushan plan to establish during the 13th Five-Year Plan?"
UNANSWERABLE = "厦门市外办2020年的外事接待经费有多少万元？"
ANSWER_TIMEOUT_MS = 60_000


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is missing: pip install playwright (no `playwright install` needed)")
    if not Path(CHROMIUM).is_file():
        _missing(f"chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module", params=["rag chat", "rag serve"])
def server(request, browser, seed_assistant) -> Iterator[str]:
    """The page as `rag chat` serves it (Gradio alone) and as `rag serve` does (mounted in
    the API server): every page test runs against both."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if request.param == "rag chat":
        from ui.app import launch

        app = launch(seed_assistant, host="127.0.0.1", port=port, block=False)
        yield f"http://127.0.0.1:{port}/"
        app.close()
        return
    from rag.server import create_app, in_thread

    with in_thread(create_app(seed_assistant), port=port, timeout=30) as served:
        yield f"http://127.0.0.1:{served}/"


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(server)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def _ask(page, question: str) -> None:
    """Type a question, press Enter and wait until its answer and sources are shown."""
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "q => (document.querySelector('#copy textarea')?.value || '').startsWith('问 Q: ' + q)",
        arg=question, timeout=ANSWER_TIMEOUT_MS,
    )


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _record_chat(page) -> None:
    """Remember every text the chat shows from now on, to check that the answer streams in."""
    page.evaluate("""() => {
        window.__seen = [];
        new MutationObserver(() => {
            const t = document.querySelector('#chat')?.innerText || '';
            if (window.__seen[window.__seen.length - 1] !== t) window.__seen.push(t);
        }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
    }""")


def _expect_answer_shown(page, answer) -> None:
    """The page shows ``answer`` as the library gave it: its text, and its first source with
    title, section, ¶ number, lines, the quote marked and the answer span emphasised."""
    from playwright.sync_api import expect

    message = page.locator("#chat .message-row.bot-row").last
    for piece in MARKER.split(answer.text.split("\n")[0])[::2]:  # the text between [n] markers
        if piece.strip():
            expect(message).to_contain_text(piece.strip())
    _expect_sources_shown(page, answer)


def _expect_sources_shown(page, answer) -> None:
    from playwright.sync_api import expect

    card = source_cards(answer)[0].citation
    source = page.locator("#sources .source").first
    for part in (card.title, f"¶{card.paragraph}", lines_label(card.lines), card.section):
        expect(source).to_contain_text(part)
    if card.quote:
        expect(source.locator("mark")).to_contain_text(card.quote)
    if card.span:
        expect(source.locator("mark strong")).to_have_text(card.quote[card.span[0]:card.span[1]])


def test_chinese_question_cites_and_opens_the_paragraph(page, seed_assistant) -> None:
    from playwright.sync_api import expect

    expected = seed_assistant.answer(FUJIAN)
    assert expected.found and expected.citations, f"the library no longer answers {FUJIAN!r}: {expected.text}"
    _record_chat(page)
    _ask(page, FUJIAN)
    _expect_answer_shown(page, expected)
    expect(page.locator("#chat sup.cite").last).to_have_text(f"[{len(expected.citations)}]")
    expect(page.locator("#chat")).to_contain_text("俄罗斯和印度")
    seen = page.evaluate("window.__seen")
    assert any("Searching the documents" in t for t in seen), "no searching status was shown"
    assert any("▌" in t for t in seen), "the answer was not revealed progressively"
    _shot(page, "ui_chinese_answer")

    cited = expected.citations[0]
    page.locator("#sources .source").first.click()
    highlighted = page.locator("#reader .para.hl")
    expect(highlighted).to_be_visible()
    expect(highlighted).to_contain_text(f"¶{cited.paragraph}")
    expect(highlighted.locator("mark")).to_contain_text(cited.quote)
    expect(highlighted).to_be_in_viewport()
    document = seed_assistant.corpus.document(cited.doc)
    expect(page.locator("#reader .para")).to_have_count(len(document.paragraphs))
    expect(page.locator("#reader .reader-title")).to_have_text(document.title)
    page.wait_for_timeout(300)  # let the reader finish scrolling before the picture
    _shot(page, "ui_reader")


def test_english_question_and_a_follow_up(page, seed_assistant) -> None:
    from playwright.sync_api import expect

    first = seed_assistant.answer(ZHOUSHAN_EN)
    _ask(page, ZHOUSHAN_EN)
    _expect_answer_shown(page, first)
    card = source_cards(first)[0].citation
    expect(page.locator("#copy textarea")).to_have_value(
        re.compile(re.escape(f"[1] {card.title}") + ".*" + re.escape(f"¶{card.paragraph}"))
    )

    follow_up = "那湖南呢？"  # read with the previous question as history
    second = seed_assistant.answer(follow_up, history=[(ZHOUSHAN_EN, first.text)])
    _ask(page, follow_up)
    _expect_answer_shown(page, second)
    if second.rewritten:
        expect(page.locator("#chat")).to_contain_text("understood as")
    expect(page.locator("#chat .message-row.user-row").filter(has_text=follow_up)).to_have_count(1)
    expect(page.locator("#chat .message-row")).to_have_count(4)
    _shot(page, "ui_english_follow_up")

    page.locator("#chat .message-row.bot-row").first.click()  # an earlier answer shows its sources again
    expect(page.locator("#copy textarea")).to_have_value(re.compile("^" + re.escape(f"问 Q: {ZHOUSHAN_EN}")))
    _expect_sources_shown(page, first)


def test_unanswerable_question_says_the_documents_do_not_contain_it(page, seed_assistant) -> None:
    from playwright.sync_api import expect

    expected = seed_assistant.answer(UNANSWERABLE)
    assert not expected.found, f"the library now answers {UNANSWERABLE!r}: {expected.text}"
    _ask(page, UNANSWERABLE)
    expect(page.locator("#chat")).to_contain_text("文件中没有找到这个问题的答案")
    panel = page.locator("#sources")
    expect(panel.locator(".not-found")).to_contain_text("文件中没有找到这个问题的答案")
    expect(panel.locator(".not-found")).to_contain_text("The documents do not contain the answer")
    expect(panel).to_contain_text("Possibly related")
    _expect_answer_shown(page, expected)
    _shot(page, "ui_not_found")


def test_empty_question_gives_a_friendly_error(page) -> None:
    from playwright.sync_api import expect

    page.click("#ask")
    notice = page.locator("#notice .notice")
    expect(notice).to_contain_text("Please check your question", timeout=ANSWER_TIMEOUT_MS)
    expect(notice).to_contain_text("empty")
    assert "Traceback" not in page.inner_text("body")
    expect(page.locator("#chat .message-row")).to_have_count(0)
    _shot(page, "ui_empty_question")

    page.fill("#question textarea", "友城" * 1500)
    page.click("#ask")
    expect(notice).to_contain_text("the limit is 2,000")
    expect(page.locator("#chat .message-row")).to_have_count(0)


def test_region_filter_and_generative_mode(page, seed_assistant) -> None:
    from playwright.sync_api import expect

    question = "要新建几对国际友城？"
    expected = seed_assistant.answer(question, mode="generative", filters={"regions": ["舟山"]})

    page.click("#options")  # open the accordion
    page.locator("#region-filter input").click()
    page.get_by_role("option", name="舟山").click()
    page.locator("#mode").get_by_text("generative").click()
    page.locator("#question textarea").click()  # close the dropdown
    _ask(page, question)
    if expected.fallback:  # without a language model, generative falls back and says why
        expect(page.locator("#chat")).to_contain_text(expected.fallback)
    sources = page.locator("#sources .source")
    expect(sources.first).to_be_visible()
    for i in range(sources.count()):
        expect(sources.nth(i)).to_contain_text("舟山")
    _shot(page, "ui_filter_and_mode")


def test_clicking_an_example_asks_it(page, seed_assistant) -> None:
    example = "厦门市外办的挂牌日期是哪天？"
    expected = seed_assistant.answer(example)
    page.locator("#examples").get_by_text(example).click()
    page.wait_for_function(
        "q => (document.querySelector('#copy textarea')?.value || '').startsWith('问 Q: ' + q)",
        arg=example, timeout=ANSWER_TIMEOUT_MS,
    )
    _expect_answer_shown(page, expected)


def _report_pdf(path: Path) -> None:
    """A two-page PDF that only it answers about: a report with a count on its second page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    pages = [
        ["滨江市外事办公室2023年工作总结", "一、对外交往", "（一）高层交往。全年组织市领导出访团组6批次，"
         "访问国家9个。"],
        ["二、外事接待", "（二）来访接待。2023年，全市接待来访外国团组128批次，其中部长级以上团组9批次。"],
    ]
    for number, lines in enumerate(pages, start=1):
        c.setFont("STSong-Light", 12)
        y = 780
        for line in lines:
            c.drawString(50, y, line)
            y -= 20
        c.setFont("STSong-Light", 8)
        c.drawString(280, 30, f"第 {number} 页 / 共 {len(pages)} 页")
        c.showPage()
    c.save()


def test_a_pdf_uploaded_in_the_page_answers_with_its_page_and_is_removed_again(browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from rag.assistant import Assistant
    from rag.settings import Settings
    from ui.app import launch

    library = tmp_path / "library"
    library.mkdir()
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    shutil.copy(next(seeds.glob("000_*.txt")), library)
    assistant = Assistant(Settings.from_env().replace(docs_dir=library, index_dir=tmp_path / "index"))
    assistant.warm_up()
    question = "滨江市2023年接待了多少批来访外国团组？"
    assert not assistant.answer(question).found
    upload = tmp_path / "滨江市外办2023年工作总结.pdf"
    _report_pdf(upload)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = launch(assistant, host="127.0.0.1", port=port, block=False)
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.click("#library button.label-wrap, #library >> text=文件库")
        page.set_input_files("#upload input[type=file]", str(upload))
        expect(page.locator("#library-report")).to_contain_text("已添加", timeout=ANSWER_TIMEOUT_MS)
        expect(page.locator("#library-table")).to_contain_text("滨江市外事办公室2023年工作总结", timeout=ANSWER_TIMEOUT_MS)
        expect(page.locator("#library-table")).to_contain_text("PDF", timeout=ANSWER_TIMEOUT_MS)
        _ask(page, question)
        expect(page.locator("#chat .message-row.bot-row").last).to_contain_text("128批次", timeout=ANSWER_TIMEOUT_MS)
        source = page.locator("#sources .source").first
        expect(source).to_contain_text("p. 2 ¶", timeout=ANSWER_TIMEOUT_MS)
        _shot(page, "library-uploaded-pdf-answer")
        source.click()
        expect(page.locator("#reader .para.hl")).to_contain_text("128批次", timeout=ANSWER_TIMEOUT_MS)
        expect(page.locator("#reader .para.hl")).to_contain_text("p. 2", timeout=ANSWER_TIMEOUT_MS)
        page.click("#remove-choice input")
        page.locator("[data-testid=dropdown-option]", has_text=upload.name).first.click()
        page.click("#remove")
        expect(page.locator("#library-report")).to_contain_text("已移除", timeout=ANSWER_TIMEOUT_MS)
        expect(page.locator("#library-table")).not_to_contain_text("滨江市", timeout=ANSWER_TIMEOUT_MS)
        page.click("#clear")
        _ask(page, question)
        expect(page.locator("#chat .message-row.bot-row").last).to_contain_text("没有找到", timeout=ANSWER_TIMEOUT_MS)
        _shot(page, "library-removed-pdf-abstains")
    finally:
        context.close()
        app.close()
    assert [d.name for d in assistant.documents()] == [p.name for p in sorted(library.glob("*.txt"))]
