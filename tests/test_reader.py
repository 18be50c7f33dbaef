"""The reader on the seed corpus and on generated documents: page-break joins, section
paths, metadata, furniture, encodings, and that no text is lost or duplicated."""

from __future__ import annotations

import codecs
import dataclasses
import functools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.corpus import Corpus, load_corpus
from rag.decoding import decode
from rag.errors import CorpusError, DocumentError
from rag.headings import strip_emphasis
from rag.reader import parse_document, read_document
from rag.types import Document, Paragraph

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}


@functools.cache
def seed(key: str) -> Document:
    """A seed document by its three-digit prefix, read once per test session."""
    return read_document(SEED_FILES[key])


def seed_lines(key: str) -> list[str]:
    return SEED_FILES[key].read_text("utf-8").split("\n")


def squash(text: str) -> str:
    """No whitespace: joins may add a space between Latin letters or digits."""
    return re.sub(r"\s+", "", text)


def holding(doc: Document, needle: str) -> list[Paragraph]:
    return [p for p in doc.paragraphs if needle in p.text]


def at_line(doc: Document, line: int) -> Paragraph:
    found = [p for p in doc.paragraphs if p.lines[0] <= line <= p.lines[1]]
    assert len(found) == 1, f"line {line} of {doc.name} is in {len(found)} paragraphs"
    return found[0]


# --- Page-break joins on the seeds ---------------------------------------------------

PAGE_BREAKS = [
    ("000", "支持厦门、福州集中力量筹备好会晤和对话会"),
    ("000", "建立友城间隔年互访"),
    ("000", "谋划生成项目"),
    ("000", "广度与深度"),
    ("001", "通过印尼驻华大使等 6 国外交官的视角"),
    ("001", "的政策精神，加强党委"),
    ("001", "外事资源服务经济建设彰显成效"),
    ("001", "维护涉外环境安全稳定"),
    ("003", "围绕远洋渔业、海岛旅游、航空产业"),
    ("003", "为侨服务工作，加强对侨资企业"),
    ("003", "姐妹港口城市等牵线搭桥"),
    ("003", "不断提升涉外事件预防"),
    ("003", "根据浙江舟山群岛新区和外侨事业"),
    ("002", "关于印发《湖南省外事侨务港澳工作“十三五”发展规划纲要(2016-2020年)》的通知"),
]


@pytest.mark.parametrize(("key", "needle"), PAGE_BREAKS)
def test_text_cut_by_a_page_break_is_one_paragraph(key: str, needle: str) -> None:
    # The needle really crosses a break: no single source line holds it.
    assert not any(needle in line for line in seed_lines(key))
    found = holding(seed(key), needle)
    assert len(found) == 1
    first, last = found[0].lines
    assert first < last


def test_notice_title_of_002_spans_its_two_lines() -> None:
    (p,) = holding(seed("002"), "关于印发《湖南省外事侨务港澳工作")
    assert p.lines == (15, 17)
    assert p.text.endswith("的通知")


# (document, a line, the next content line): real boundaries that must stay apart.
BOUNDARIES = [
    ("000", 15, 16),  # signature office / date
    ("000", 18, 20),  # title / body
    ("000", 22, 24),  # heading / paragraph after it
    ("000", 48, 50),
    ("001", 13, 14),  # signature office / date
    ("001", 20, 22),  # title / body
    ("001", 32, 34),  # heading ending in 。 / body
    ("002", 23, 25),  # signature office / date
    ("002", 33, 35),
    ("002", 141, 143),  # imprint / repeated title
    ("003", 3, 5),  # title / body
    ("003", 31, 33),  # heading / body
    ("003", 43, 45),
    ("004", 9, 10),  # heading / heading
]


@pytest.mark.parametrize(("key", "a", "b"), BOUNDARIES)
def test_real_paragraph_boundaries_are_not_joined(key: str, a: int, b: int) -> None:
    doc = seed(key)
    before, after = at_line(doc, a), at_line(doc, b)
    assert before.number + 1 == after.number
    assert before.lines[1] == a and after.lines[0] == b


# --- Numbering, line spans and section paths on the seeds -----------------------------


@pytest.mark.parametrize("key", sorted(SEED_FILES))
def test_paragraphs_are_numbered_and_point_at_their_source_lines(key: str) -> None:
    doc, lines = seed(key), seed_lines(key)
    assert [p.number for p in doc.paragraphs] == list(range(1, len(doc.paragraphs) + 1))
    assert all(p.doc == doc.name for p in doc.paragraphs)
    previous_last = 0
    for p in doc.paragraphs:
        first, last = p.lines
        assert previous_last < first <= last <= len(lines)
        previous_last = last
        assert p.text.startswith(strip_emphasis(lines[first - 1].strip()))
        assert p.text.endswith(strip_emphasis(lines[last - 1].strip()))
        assert "**" not in p.text
    assert doc.paragraph(1) is doc.paragraphs[0]
    with pytest.raises(IndexError):
        doc.paragraph(len(doc.paragraphs) + 1)


def test_section_path_of_a_paragraph_under_two_headings() -> None:
    (p,) = holding(seed("003"), "主动融入新区开发开放大格局")
    assert p.section_path == "三、主要任务 › （一）服务新区重要项目和平台建设，提升新区对外开放水平"
    assert not p.is_heading


def test_run_in_heading_names_its_own_paragraph() -> None:
    doc = seed("000")
    (p,) = [p for p in doc.paragraphs if p.text.startswith("(五) 搭建平台。")]
    assert [squash(s) for s in p.section] == ["二、深化对外交往内涵", "(五)搭建平台"]
    assert not p.is_heading  # a run-in heading paragraph is body text too
    (nxt,) = [p for p in doc.paragraphs if p.text.startswith("（六）广交朋友")]
    assert [squash(s) for s in nxt.section] == ["二、深化对外交往内涵", "（六）广交朋友"]


def test_bold_run_in_heading_names_its_paragraph_without_markers() -> None:
    doc = seed("001")
    (p,) = holding(doc, "顺利完成机构改革任务。根据")
    assert p.text.startswith("1. 顺利完成机构改革任务。根据《厦门市市级机构改革实施方案》")
    assert [squash(s) for s in p.section] == [
        "一、2019年工作总结", "（一）完善机构机制，进一步提升外事能力建设", "1.顺利完成机构改革任务",
    ]
    # A later "1." belongs under （二）, not under （一）'s items.
    (q,) = holding(doc, "健全党管外事的机制体制")
    assert squash(q.section[1]).startswith("（二）提高政治站位")
    assert squash(q.section[-1]) == "1.健全党管外事的机制体制"


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("003", "三、主要任务"),
        ("003", "（一）服务新区重要项目和平台建设，提升新区对外开放水平"),
        ("001", "（一）完善机构机制，进一步提升外事能力建设。"),
        ("002", "(一)“十二五”时期工作基础"),
        ("004", "(一)加强党对外事工作集中统一领导。"),
    ],
)
def test_heading_only_line_is_a_heading(key: str, text: str) -> None:
    (p,) = [p for p in seed(key).paragraphs if p.text == text]
    assert p.is_heading
    assert squash(p.section[-1]) == squash(text.rstrip("。"))


def test_body_paragraphs_are_not_headings() -> None:
    for key in SEED_FILES:
        for p in seed(key).paragraphs:
            if len(p.text) > 80:
                assert not p.is_heading, (key, p.number)


def test_sections_group_consecutive_paragraphs() -> None:
    doc = seed("003")
    sections = doc.sections()
    assert [n for s in sections for n in s.paragraphs] == [p.number for p in doc.paragraphs]
    assert all(doc.paragraph(n).section == s.path for s in sections for n in s.paragraphs)
    assert all(a.path != b.path for a, b in zip(sections, sections[1:]))


# --- Metadata ------------------------------------------------------------------------

METADATA = {
    "000": dict(title="福建省人民政府外事办公室2017年工作要点", office="福建省人民政府外事办公室",
                number="闽政外秘〔2017〕11号", date="2017-02-24", region="福建", period="2017"),
    "001": dict(office="厦门市人民政府外事办公室", number="厦政外综〔2020〕10号", date="2020-01-22",
                region="厦门", period="2019-2020"),
    # Issued (湘外领发) and signed by the leading group on 10 October; the web page's
    # "发文日期: 2016-10-13" is when it was posted.
    "002": dict(title="湖南省外事侨务港澳工作“十三五”发展规划纲要(2016-2020年)", office="中共湖南省委外事工作领导小组",
                number="湘外领发〔2016〕1号", date="2016-10-10", region="湖南", period="2016-2020"),
    "003": dict(title="舟山市外事侨务“十三五”发展规划", office=None, number=None, date=None, region="舟山",
                period="2016-2020"),
    "004": dict(title="省外事侨务办公室XX年工作总结和2018年工作要点", office="省外事侨务办公室", number=None,
                date=None, region="江西"),
}


@pytest.mark.parametrize("key", sorted(METADATA))
def test_metadata_of_the_seeds(key: str) -> None:
    meta = seed(key).meta
    print(f"\n{key}: {meta}")
    for name, expected in METADATA[key].items():
        assert getattr(meta, name) == expected, name


def test_title_of_001_names_both_years_and_the_issuer() -> None:
    meta = seed("001").meta
    assert "2019年工作总结及2020年工作计划" in meta.title
    assert meta.years == (2019, 2020)


def test_a_title_that_hides_its_region_gets_it_in_the_label() -> None:
    meta = seed("004").meta
    assert "江西" not in meta.title
    assert "江西" in meta.label
    assert 2018 in meta.years
    assert seed("000").meta.label == seed("000").meta.title


def test_five_year_plan_covers_its_years() -> None:
    assert seed("003").meta.years == (2016, 2017, 2018, 2019, 2020)


# --- Furniture -----------------------------------------------------------------------


def test_download_site_furniture_of_004_is_removed_with_reasons() -> None:
    doc, lines = seed("004"), seed_lines("004")
    assert [r.line for r in doc.removed] == [1, 2, 3, 4, 5, 6]
    for r in doc.removed:
        assert r.reason
        assert r.text == lines[r.line - 1].strip()
        assert not any(squash(r.text.lstrip("- ")) in squash(p.text) for p in doc.paragraphs)
    assert doc.paragraphs[0].lines[0] == 7
    assert doc.paragraphs[0].text == "省外事侨务办公室XX年工作总结和2018年工作要点"
    assert not any("QQ" in p.text or "淘文库" in p.text for p in doc.paragraphs)


def test_breadcrumb_and_trailing_counter_of_002_are_removed() -> None:
    doc = seed("002")
    removed = {r.text: r for r in doc.removed}
    # The page's empty fields go too; its filled ones (索引号, 发文日期) stay as front matter.
    assert set(removed) == {"首页>信息公开>规划计划", "7116447", "• 题裁分类:", "• 主题分类:", "• 主题词:"}
    assert {removed[t].reason for t in ("• 题裁分类:", "• 主题分类:", "• 主题词:")} == {"page information"}
    assert removed["首页>信息公开>规划计划"].line == 1
    assert not any("7116447" in p.text or "首页>" in p.text for p in doc.paragraphs)
    # Content with numbers stays: the index number of the page and the figures of the text.
    assert holding(doc, "索引号:430S00041/2016-65792")
    assert doc.paragraphs[-1].text == "湖南省外事侨务港澳工作“十三五”发展规划纲要(2016-2020年)"


def test_seeds_without_furniture_lose_nothing() -> None:
    for key in ("000", "001", "003"):
        assert seed(key).removed == ()


HEAD = "福建省外事办公室2017年工作要点\n\n全年工作总体思路是拓展对外交往渠道。\n\n"


@pytest.mark.parametrize(
    "line",
    [
        "全年共接待外宾205批次，同比增长12%。",
        "外贸额同比增长>10%的企业达到25家。",
        "按照“首页>办事服务”栏目指引在线办理。",
        "开通政务网站客服热线，方便外籍人士咨询办事。",
        "文件大小为17.30 KB，请下载后查阅。",
        "签订105个总投资额达105.8亿美元的项目。",
        "2017年2月24日",
        "第二届江西省国际友城周活动在南昌举行。",
    ],
)
def test_content_that_merely_contains_numbers_or_arrows_is_kept(line: str) -> None:
    doc = parse_document("x.txt", HEAD + line + "\n\n最后一段正文。\n")
    assert doc.removed == ()
    assert any(p.text == line for p in doc.paragraphs)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("- 17.30 KB", "file size"),
        ("2.5MB", "file size"),
        ("- 2021-04-14 发布", "upload date"),
        ("- 2、本文档内容版权归属内容提供方,所产生的收益全部归内容提供方所有。", "download-site notice"),
        ("- 网站客服QQ:403074932", "download-site notice"),
        ("首页>信息公开>规划计划", "breadcrumb"),
        ("当前位置：首页 > 政务公开 > 通知公告", "breadcrumb"),
        ("- 3 -", "page number"),
        ("第 2 页 共 5 页", "page number"),
    ],
)
def test_furniture_lines_are_removed_with_their_reason(line: str, reason: str) -> None:
    doc = parse_document("x.txt", HEAD + line + "\n\n最后一段正文。\n")
    assert [(r.line, r.text, r.reason) for r in doc.removed] == [(5, line.strip(), reason)]
    assert not any(line.strip() in p.text for p in doc.paragraphs)


def test_only_a_bare_number_closing_the_file_is_a_stray_counter() -> None:
    doc = parse_document("x.txt", HEAD + "2017\n\n最后一段正文。\n\n7116447\n")
    assert [(r.text, r.reason) for r in doc.removed] == [("7116447", "stray trailing number")]
    assert any("2017" in p.text for p in doc.paragraphs)  # mid-document: maybe a table cell, kept


def test_a_page_number_between_two_halves_of_a_sentence_does_not_stop_the_join() -> None:
    doc = parse_document("x.txt", HEAD + "推动我省与金砖国家友城领导\n\n- 7 -\n\n互访，扩大友城结好。\n")
    assert [r.reason for r in doc.removed] == ["page number"]
    (p,) = holding(doc, "推动我省与金砖国家友城领导互访，扩大友城结好。")
    assert p.lines == (5, 9)


# --- Encodings and the corpus --------------------------------------------------------

INLINE = (
    "福建省人民政府外事办公室 2017 年工作要点\n\n"
    "一、拓展对外交往渠道\n\n"
    "(一) 服务“金砖”。把金砖国家领导人第九次会晤放在我省厦门举行，支持厦门、福州\n\n"
    "集中力量筹备好会晤和对话会；用好 APEC 商务旅行卡。\n\n"
    "（二）深耕“海丝”。全年接待外宾205批次，较上年增长 12%。\n"
)


def _encodings(text: str) -> dict[str, bytes]:
    return {
        "gb18030": text.encode("gb18030"),
        "utf-8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf-16-le-bom": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "utf-16-le": text.encode("utf-16-le"),
        "utf-16-be": text.encode("utf-16-be"),
        "utf-8-crlf": text.replace("\n", "\r\n").encode("utf-8"),
    }


@pytest.mark.parametrize("source", ["inline", "001", "004"])
@pytest.mark.parametrize("encoding", sorted(_encodings("")))
def test_other_encodings_read_like_utf8(tmp_path: Path, source: str, encoding: str) -> None:
    text = INLINE if source == "inline" else SEED_FILES[source].read_text("utf-8")
    utf8 = tmp_path / "utf8.txt"
    utf8.write_bytes(text.encode("utf-8"))
    other = tmp_path / f"{encoding}.txt"
    other.write_bytes(_encodings(text)[encoding])
    expected, got = read_document(utf8), read_document(other)
    assert [p.doc for p in got.paragraphs] == [other.name] * len(got.paragraphs)
    assert [(p.text, p.lines, p.section, p.is_heading) for p in got.paragraphs] == [
        (p.text, p.lines, p.section, p.is_heading) for p in expected.paragraphs
    ]
    assert got.meta == expected.meta
    assert got.removed == expected.removed
    assert got.fingerprint != expected.fingerprint  # of the bytes, not of the text


BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
UNDECODABLE = "Grüße aus Köln, schöne Grüße, café naïve.".encode("latin-1")


def test_binary_and_undecodable_bytes_raise_document_errors() -> None:
    with pytest.raises(DocumentError, match="scan.txt"):
        decode(BINARY, "scan.txt")
    with pytest.raises(DocumentError, match="latin.txt"):
        decode(UNDECODABLE, "latin.txt")


def test_corpus_skips_unreadable_files_and_names_them(tmp_path: Path) -> None:
    (tmp_path / "a_good.txt").write_text(INLINE, "utf-8")
    (tmp_path / "b_scan.txt").write_bytes(BINARY)
    (tmp_path / "c_latin.txt").write_bytes(UNDECODABLE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d_gbk.md").write_bytes(INLINE.encode("gb18030"))
    (tmp_path / "notes.pdf").write_bytes(BINARY)  # named .pdf, but not a PDF: skipped with its reason
    (tmp_path / "data.json").write_text("{}", "utf-8")  # not a document format: ignored
    corpus = load_corpus(tmp_path)
    assert [d.name for d in corpus.documents] == ["a_good.txt", "d_gbk.md"]
    assert {s.path: s.reason for s in corpus.skipped}.keys() == {"b_scan.txt", "c_latin.txt", "notes.pdf"}
    for s in corpus.skipped:
        assert s.path in s.reason
    assert corpus.documents[1].encoding == "gb18030"
    assert corpus.documents[0].paragraphs == tuple(
        Paragraph("a_good.txt", p.number, p.text, p.lines, p.section, p.is_heading)
        for p in corpus.documents[1].paragraphs
    )


def test_an_empty_folder_or_one_without_readable_documents_is_a_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)
    (tmp_path / "scan.txt").write_bytes(BINARY)
    (tmp_path / "blank.txt").write_text("\n\n   \n", "utf-8")
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError):
        load_corpus(tmp_path / "missing")


def test_corpus_fingerprint_changes_when_a_document_changes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(INLINE, "utf-8")
    before = load_corpus(tmp_path).fingerprint
    assert load_corpus(tmp_path).fingerprint == before
    (tmp_path / "a.txt").write_text(INLINE + "\n新增一段。\n", "utf-8")
    assert load_corpus(tmp_path).fingerprint != before


# --- Generated documents -------------------------------------------------------------

# Words chosen so that no cut of a sentence looks like a title, an office or a date line:
# none ends in a genre word (规划, 通知 …) or an office (局, 办, 中心 …).
WORDS = (
    "对外", "交流", "合作", "友城", "建设", "推进", "加强", "服务", "发展", "国际", "交往", "开放", "经贸",
    "人文", "项目", "平台", "机制", "海外", "侨务", "外事", "港澳", "招商", "引资", "青少年", "文化", "教育",
    "科技", "深化", "拓展", "友好", "城市", "海洋", "经济",
)
FIGURES = ("2017年", "5个", "105.8亿美元", "80%", "144小时", "205批次", "APEC", "2017 年")
FURNITURE = (
    "- 17.30 KB", "- 2021-04-14 发布", "第 3 页", "- 12 -", "首页>信息公开>规划计划",
    "- 网站客服QQ:403074932", "- 1、本文档由用户上传,淘文库整理发布,可阅读全部内容。",
)
CN = "一二三四五六七八九十"


def _phrase(rng: random.Random) -> str:
    pool = WORDS * 3 + FIGURES
    return "".join(rng.choice(pool) for _ in range(rng.randint(2, 6)))


def _body(rng: random.Random) -> str:
    """Sentences of phrases separated by ，, ending in 。 or ；, sometimes with a space between."""
    sentences = [
        "，".join(_phrase(rng) for _ in range(rng.randint(1, 4))) + rng.choice("。；")
        for _ in range(rng.randint(1, 5))
    ]
    return rng.choice(["", " "]).join(sentences)


def _title(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def _enumerator(rng: random.Random) -> tuple[int, str]:
    level, n = rng.randint(1, 3), rng.randint(0, 9)
    if level == 1:
        return 1, CN[n] + "、"
    if level == 2:
        return 2, rng.choice(["（{}）", "({})"]).format(CN[n])
    return 3, f"{n + 1}" + rng.choice(["、", "."])


@dataclass
class Block:
    text: str  # as written, with ** markers
    kind: str  # heading, runin, body
    section: tuple[str, ...]


@dataclass
class Generated:
    text: str
    blocks: list[Block]
    furniture: dict[int, str] = field(default_factory=dict)  # line -> text


def _cuts(text: str, safe: bool) -> list[int]:
    """Positions where a page break may fall: never inside ** markers; when ``safe``, only
    between two CJK characters (so that the two halves still read as one sentence)."""
    out = []
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if "*" in (a, b):
            continue
        if safe and not (re.match(r"[\u4e00-\u9fff，、]", a) and re.match(r"[\u4e00-\u9fff]", b)):
            continue
        out.append(i)
    return out


def _blocks(rng: random.Random) -> list[Block]:
    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(["heading", "runin", "body", "body"])
        if kind == "body":
            blocks.append(Block(_body(rng), kind, tuple(t for _, t in stack)))
            continue
        level, enum = _enumerator(rng)
        head = _title(rng)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, enum + head))
        if kind == "heading":
            text = enum + head
        elif rng.random() < 0.5:
            text = f"{enum} **{head}。**{_body(rng)}"
        else:
            text = f"{enum}{head}。{_body(rng)}"
        blocks.append(Block(text, kind, tuple(t for _, t in stack)))
    return blocks


@st.composite
def documents(draw: st.DrawFn, safe: bool) -> Generated:
    """A document of headings, run-in headings and body paragraphs, with blank lines,
    page breaks inside paragraphs (anywhere, or only where the halves must join when
    ``safe``) and furniture lines at random places. Details come from a seeded Random:
    far quicker than a draw per character, and a failure prints the whole document."""
    rng = draw(st.randoms(use_true_random=True))
    blocks = _blocks(rng)
    lines: list[str] = []
    furniture: dict[int, str] = {}

    def blank() -> None:
        lines.extend([""] * rng.randint(0, 2))

    def maybe_furniture() -> None:
        if rng.random() < 0.2:
            blank()
            lines.append(rng.choice(FURNITURE))
            furniture[len(lines)] = lines[-1]

    blank()
    for block in blocks:
        maybe_furniture()
        blank()
        text = block.text
        if safe and block.kind == "heading":
            cuts = []
        else:
            # A run-in heading is cut only in its body when the halves must join.
            start = text.index("。") + 3 if safe and block.kind == "runin" else 0
            cuts = [c for c in _cuts(text, safe) if c >= start]
        chosen = sorted(rng.sample(cuts, min(len(cuts), rng.randint(0, 3))))
        for a, b in zip([0] + chosen, chosen + [len(text)]):
            if a:
                lines.append("")  # the page break
                maybe_furniture()
                lines.append("")
            lines.append(rng.choice(["", "  ", "\u3000"]) + text[a:b])
        blank()
    if rng.random() < 0.5:
        lines += ["", "7116447"]
        furniture[len(lines)] = "7116447"
    return Generated("\n".join(lines) + rng.choice(["", "\n"]), blocks, furniture)


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(documents(safe=False))
def test_nothing_is_lost_or_duplicated(gen: Generated) -> None:
    doc = parse_document("gen.txt", gen.text)
    source = gen.text.split("\n")
    assert {r.line: r.text for r in doc.removed} == gen.furniture
    kept = "".join(line for number, line in enumerate(source, start=1) if number not in gen.furniture)
    assert squash("".join(p.text for p in doc.paragraphs)) == squash(kept).replace("**", "")
    assert [p.number for p in doc.paragraphs] == list(range(1, len(doc.paragraphs) + 1))
    previous_last = 0
    for p in doc.paragraphs:
        first, last = p.lines
        assert previous_last < first <= last <= len(source)
        assert first not in gen.furniture and last not in gen.furniture
        assert p.text.startswith(strip_emphasis(source[first - 1].strip()))
        previous_last = last


@SETTINGS
@given(documents(safe=True))
def test_page_breaks_join_and_headings_nest(gen: Generated) -> None:
    doc = parse_document("gen.txt", gen.text)
    got = [(squash(p.text), p.section, p.is_heading) for p in doc.paragraphs]
    want = [(squash(strip_emphasis(b.text)), b.section, b.kind == "heading") for b in gen.blocks]
    assert got == want


@settings(max_examples=60, deadline=None)
@given(documents(safe=False), st.sampled_from(["gb18030", "utf-16-le", "utf-16-be", "utf-16", "utf-8-sig"]))
def test_generated_text_decodes_back_in_every_encoding(gen: Generated, encoding: str) -> None:
    text, _ = decode(gen.text.encode(encoding), "gen.txt")
    assert text.lstrip("\ufeff") == gen.text


# --- Saved web pages of the genre (written for these tests) ---------------------------

PAGE = """来源: https://www.example.gov.cn/art/2022/8/26/art_1.html
您现在的位置:首页
 > 政务公开 > 规划计划 > 计划总结
某某县外事侨务局2022年度总结
发布日期:2022-08-26 15:40浏览次数: 来源:某某县外事侨务局 字体:[ ]

今年以来,市外办坚持服务大局,为全市高质量发展贡献外事力量。香港、澳门的交流也有新进展。

一、拓宽国际渠道

一是拓展国际友城交流合作渠道。
"""


def test_the_furniture_of_a_saved_page_is_removed_and_read_as_metadata() -> None:
    doc = parse_document("page.txt", PAGE)
    reasons = {r.reason for r in doc.removed}
    assert {"source line", "breadcrumb", "page information"} <= reasons
    assert not any("发布日期" in p.text or "来源" in p.text or "首页" in p.text for p in doc.paragraphs)
    m = doc.meta
    assert m.source == "https://www.example.gov.cn/art/2022/8/26/art_1.html"
    assert m.title == "某某县外事侨务局2022年度总结"
    assert m.date == "2022-08-26"
    assert m.office == "某某县外事侨务局"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("来源:机关先锋网 时间:2025年09月24日 [ 大 中 小 ] [ 打印 ] [ 关闭 ] [ 收藏 ]", "page information"),
        ("发布日期: 2023-04-23  来源:某市外事办 打印   分享至:", "page information"),
        ("[ 索引号 ] 11500000MB1670436T/2021-00139 [ 发文字号 ]", "page information"),
        ("无障碍关怀版登录注册", "page controls"),
        ("菜单", "page controls"),
        ("新闻中心 > 独家 > 正文", "breadcrumb"),
        ("2021-03-09 05:11", "page date"),
        ("18.05.2023  15:40", "page date"),
        ("打开微信,“扫一扫”即可将网页分享至朋友圈。", "share prompt"),
        ("微信图1.jpg", "image file"),
        ("中国政府网 | 某市人民政府网", "site links"),
        ("- 9页", "page count"),
        ("https://www.example.gov.cn/index.html", "web address"),
    ],
)
def test_page_furniture_lines_are_removed_with_their_reason(line: str, reason: str) -> None:
    doc = parse_document("x.txt", HEAD + line + "\n\n最后一段正文。\n")
    assert [(r.text, r.reason) for r in doc.removed] == [(line.strip(), reason)]


@pytest.mark.parametrize(
    "line",
    ["做好文件打印和分发工作。", "本年度报告电子版可从门户网站下载。", "来源于各区县的统计数据汇总如下。"],
)
def test_sentences_that_speak_of_printing_or_sources_stay(line: str) -> None:
    doc = parse_document("x.txt", HEAD + line + "\n")
    assert doc.removed == ()


def test_page_fields_with_the_title_glued_on_keep_the_title() -> None:
    doc = parse_document("x.txt", "[ 成文日期 ] [ 发布日期 ] 2021-09-10某区外事侨务局2020年度部门决算情况说明\n\n一、部门基本情况\n")
    assert doc.meta.title == "某区外事侨务局2020年度部门决算情况说明"
    assert doc.meta.date == "2021-09-10"
    assert doc.removed[0].reason == "page information"


@pytest.mark.parametrize(
    ("text", "title", "region"),
    [
        ("佛山:奋力开创对外开放新局面\n\n4月4日,全市对外开放大会召开。\n", "佛山:奋力开创对外开放新局面", "佛山"),
        ("奋力开创外事工作新局面\n\n2024年,全市外事系统将聚力四个服务。\n", "奋力开创外事工作新局面", None),
        ("关于友城工作推动区域性国际中心城市\n建设情况的专项工作报告\n\n主任、各位委员：\n",
         "关于友城工作推动区域性国际中心城市建设情况的专项工作报告", None),
        ("市外办2023年工作情况报告\n\n今年以来，市外办认真落实各项部署。\n", "市外办2023年工作情况报告", None),
    ],
)
def test_titles_without_a_notice_and_regions_from_the_title(text: str, title: str, region: str | None) -> None:
    meta = parse_document("x.txt", text).meta
    assert meta.title == title
    assert meta.region == region


def test_a_place_the_body_merely_mentions_is_not_the_region() -> None:
    doc = parse_document("x.txt", "年度工作总结\n\n今年与香港、澳门的交流取得新进展，香港代表团来访两次。\n")
    assert doc.meta.region is None


def test_an_issuer_named_in_the_text_gives_the_region() -> None:
    doc = parse_document("x.txt", "年度工作计划\n\n烟台市外事工作要服务大局。烟台市外办将举办系列活动。\n")
    assert doc.meta.region == "烟台"


def test_an_issuer_a_city_shares_with_one_of_its_counties_is_the_city() -> None:
    doc = parse_document("x.txt", "我市召开全市外事工作会议。会议传达了湛江市第九次党代会精神，雷州市政府负责同志作交流发言。\n")
    assert doc.meta.region == "湛江"
    tie = parse_document("x.txt", "会议传达了湛江市第九次党代会精神，广东省委外办负责同志作交流发言。\n")
    assert tie.meta.region is None  # a city and its province: either may be the issuer


def test_a_city_whose_name_is_also_a_word_is_a_place_only_with_its_suffix() -> None:
    from rag.places import places_in

    assert [p.name for _, _, p in places_in("本报告由包头市人民政府外事办公室编制")] == ["包头"]
    assert places_in("工作人员统一佩戴包头") == []
    doc = parse_document("x.txt", "本年度报告由包头市人民政府外事办公室编制。\n")
    assert doc.meta.region == "包头"


def test_a_government_page_without_an_issuer_in_its_text_is_of_the_place_its_address_spells() -> None:
    text = "来源: https://rd.{}.gov.cn/a/b.html\n关于函询我市友好城市情况的报告\n\n目前，我市国际友城数量位居全省第一。\n"
    assert parse_document("x.txt", text.format("sanya")).meta.region == "三亚"
    assert parse_document("x.txt", text.format("shanxi")).meta.region is None  # 山西 or 陕西
    elsewhere = text.replace(".gov.cn", ".example.com").format("sanya")
    assert parse_document("x.txt", elsewhere).meta.region is None  # any site may host any place's page


def test_a_page_that_speaks_of_its_own_city_by_level_is_of_the_city_it_names_most() -> None:
    text = "2022年大事记\n\n1月18日，市友协带队赴绍兴文理学院调研。\n\n9月4日，市外办邀请在绍兴的国际友人参观绍兴黄酒小镇，我市与杭州的友人同行。\n"
    assert parse_document("x.txt", text).meta.region == "绍兴"
    even = "大事记\n\n市友协赴绍兴调研。市外办赴杭州调研。\n"
    assert parse_document("x.txt", even).meta.region is None  # no place named most


def test_chapter_section_article_and_task_headings_nest() -> None:
    doc = parse_document("x.txt", "第一章 总则\n\n第一节 目标\n\n第三条 本规划适用于全市。\n\n第二章 任务\n\n第10項:推进设施建设。\n")
    sections = {p.text: p.section for p in doc.paragraphs}
    assert sections["第三条 本规划适用于全市。"] == ("第一章 总则", "第一节 目标", "第三条 本规划适用于全市")
    assert sections["第10項:推进设施建设。"][0] == "第二章 任务"


def test_an_index_of_an_older_reading_is_stale(tmp_path: Path) -> None:
    from rag.corpus import load_corpus

    (tmp_path / "a.txt").write_text("某市外办2023年工作要点\n\n全年接待外宾团组50批。\n", "utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.reading_fingerprint) == 64
    other = Corpus(corpus.root, tuple(dataclasses.replace(d, paragraphs=d.paragraphs[:1]) for d in corpus.documents))
    assert other.fingerprint == corpus.fingerprint and other.reading_fingerprint != corpus.reading_fingerprint
