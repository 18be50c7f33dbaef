"""The seeds (or any text corpus) as users receive such documents: saved web pages with a
government site's furniture around the article, the same pages printed to PDF by Chromium
with its header and footer, and Word files with heading styles.

``rag eval --renderings`` renders a corpus into a temporary folder per format and runs the
same questions over each, beside the text files: a format that reads worse than its text
shows up as a drop in accuracy. PDF printing needs Chromium (Debian's ``chromium``, driven
by Playwright) and a CJK font (Debian's ``fonts-wqy-microhei``); without them the PDF
rendering is reported as unavailable, with the reason.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path
from typing import Sequence

from rag.corpus import load_corpus
from rag.errors import RagError
from rag.types import Document

FORMATS = ("html", "pdf", "docx")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def render(docs: Path, out: Path, formats: Sequence[str] = FORMATS) -> dict[str, Path]:
    """Render every document of ``docs`` into ``out/<format>/``; the folders made, by format."""
    corpus = load_corpus(docs)
    made: dict[str, Path] = {}
    pages = {d.name: page_html(d) for d in corpus.documents}
    if "html" in formats or "pdf" in formats:
        folder = out / "html"
        folder.mkdir(parents=True, exist_ok=True)
        for d in corpus.documents:
            (folder / f"{Path(d.name).stem}.html").write_text(pages[d.name], "utf-8")
        if "html" in formats:
            made["html"] = folder
    if "pdf" in formats:
        folder = out / "pdf"
        folder.mkdir(parents=True, exist_ok=True)
        print_pdfs([(out / "html" / f"{Path(d.name).stem}.html", folder / f"{Path(d.name).stem}.pdf", d.title)
                    for d in corpus.documents])
        made["pdf"] = folder
    if "docx" in formats:
        folder = out / "docx"
        folder.mkdir(parents=True, exist_ok=True)
        for d in corpus.documents:
            write_docx(d, folder / f"{Path(d.name).stem}.docx")
        made["docx"] = folder
    return made


def page_html(doc: Document) -> str:
    """The document as a government site serves it: navigation, breadcrumb, the article
    with its headline and page information, a share bar and the site's footer."""
    body = []
    for p in doc.paragraphs:
        text = html.escape(p.text)
        if p.is_heading and p.section and p.section[-1] == p.text.strip():
            level = min(2 + len(p.section) - 1, 5)
            body.append(f"<h{level}>{text}</h{level}>")
        else:
            body.append(f"<p style='text-indent:2em'>{text}</p>")
    office = html.escape(doc.meta.office or "某市外事办公室")
    date = doc.meta.date or "2020-01-01"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(doc.title)}_{office}</title>
<style>body{{font-family:'WenQuanYi Micro Hei',sans-serif;font-size:14px;margin:0 40px}}
p{{margin:0.4em 0;line-height:1.6}} .nav a{{margin-right:12px}}</style></head>
<body>
<div class="top"><a href="/">{office}门户网站</a> <a href="/en">English</a> <a href="/wza">无障碍</a></div>
<nav class="nav"><a href="/">首页</a><a href="/xxgk">信息公开</a><a href="/zwdt">政务动态</a><a href="/hdjl">互动交流</a><a href="/bsfw">办事服务</a></nav>
<div class="crumb">当前位置：首页 &gt; 信息公开 &gt; 计划总结</div>
<div class="article">
<h1>{html.escape(doc.title)}</h1>
<div class="info">发布日期：{date} 来源：{office} 浏览次数：1024 字体：[大 中 小] 打印</div>
<div class="content">
{chr(10).join(body)}
</div>
<div class="share">分享到：微信 微博 QQ空间</div>
</div>
<footer><p>主办单位：{office} 地址：某市某路1号 邮编：361000</p><p>网站标识码：3502000001 备案号：闽ICP备05000000号</p>
<p><a href="/lxwm">联系我们</a> | <a href="/wzdt">网站地图</a></p></footer>
</body></html>
"""


def print_pdfs(jobs: Sequence[tuple[Path, Path, str]]) -> None:
    """Print each (html, pdf, title) with Chromium as a browser prints a page: A4, the date
    and title in the header, the address and "page/total" in the footer."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise RagError("printing PDF needs the playwright package (pip install playwright)") from exc
    if not Path(CHROMIUM).is_file():
        raise RagError(f"printing PDF needs Chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)")
    header = ("<div style='font-size:8px;width:100%;margin:0 40px;display:flex;justify-content:space-between'>"
              "<span class='date'></span><span class='title'></span></div>")
    footer = ("<div style='font-size:8px;width:100%;margin:0 40px;display:flex;justify-content:space-between'>"
              "<span class='url'></span><span><span class='pageNumber'></span>/<span class='totalPages'></span></span></div>")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for source, target, _title in jobs:
                page.goto(source.resolve().as_uri())
                page.pdf(path=str(target), format="A4", display_header_footer=True, header_template=header,
                         footer_template=footer, margin={"top": "60px", "bottom": "60px", "left": "40px", "right": "40px"})
        finally:
            browser.close()


def write_docx(doc: Document, target: Path) -> None:
    """The document as a Word file: its title in the Title style, headings in Heading 1–4,
    the rest as body paragraphs."""
    import docx

    out = docx.Document()
    for p in doc.paragraphs:
        if p.is_heading and p.section and p.section[-1] == p.text.strip():
            out.add_heading(p.text, level=min(len(p.section), 4))
        else:
            out.add_paragraph(p.text)
    out.save(str(target))


def renderings_cli(corpora: Sequence, settings, split: str = "all", keep: Path | None = None) -> int:
    """``rag eval --renderings``: each corpus as text and rendered as HTML, PDF and Word, the
    same questions over each; accuracy side by side, and for PDF whether each citation names
    the page its quote starts on (checked against pypdfium2's own page texts)."""
    import tempfile

    from rag.evaluation.corpora import EvalCorpus
    from rag.evaluation.report import summary_table
    from rag.evaluation.runner import evaluate_corpus, score

    for corpus in corpora:
        with tempfile.TemporaryDirectory(prefix="rag-renderings-") as tmp:
            out = keep / corpus.name if keep else Path(tmp)
            folders = {"text": corpus.docs}
            try:
                folders |= render(corpus.docs, out)
            except RagError as exc:
                print(f"{corpus.name}: {exc}; rendering HTML and Word only")
                folders |= render(corpus.docs, out, ("html", "docx"))
            scores, pages = {}, None
            for fmt, folder in folders.items():
                variant = EvalCorpus(f"{corpus.name}/{fmt}", folder, corpus.questions)
                local = settings.replace(index_dir=Path(tmp) / "index" / fmt)
                records = evaluate_corpus(variant, local, split, None, baselines=False)["hybrid (ours)"]
                scores[fmt] = score(records)
                if fmt == "pdf":
                    pages = page_check(folder, local)
            print(f"## {corpus.name}: the same questions over each rendering ({split})\n{summary_table(scores)}\n")
            if pages is not None:
                right, total = pages
                print(f"PDF citations on the page their quote starts on: {right}/{total}\n")
    return 0


def page_check(folder: Path, settings) -> tuple[int, int]:
    """Over every paragraph of the PDFs in ``folder``: how many citations of its first
    sentence name the page on which pypdfium2 finds that sentence's first characters."""
    import re as _re

    import pypdfium2 as pdfium

    from rag.types import cite
    from rag.text import split_sentences

    right = total = 0
    for doc in load_corpus(folder).documents:
        if doc.format != "pdf":
            continue
        pdf = pdfium.PdfDocument(str(folder / doc.name))
        texts = [_re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]
        pdf.close()
        for p in doc.paragraphs:
            for start, sentence in split_sentences(p.text)[:2]:
                probe = _re.sub(r"\s+", "", sentence)[:12]
                if len(probe) < 8:
                    continue
                on = [i + 1 for i, t in enumerate(texts) if probe in t]
                if len(on) != 1:  # the words stand on no single page (a page break inside them) or on several
                    continue
                total += 1
                right += cite(doc, p, sentence).page == on[0]
    return right, total
