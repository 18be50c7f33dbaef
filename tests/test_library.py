"""The document library: adding and removing files, safely and atomically, from the Python
API (the CLI and the chat page call the same methods). The embedder is the hashing fake:
no model is loaded, so these tests are fast; what they check is the library's bookkeeping."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from embeddings.fake import FakeEmbedder
from rag.assistant import Assistant
from rag.errors import NotFoundError, RagError
from rag.library import safe_name
from rag.settings import Settings

PLAN = "\n".join([
    "某市外事办公室2021年工作要点",
    "一、对外交往",
    "（一）友城交流。力争全年新缔结国际友好城市3对，重点推进与东盟国家城市结好。",
])
REPORT = "\n".join([
    "滨江市外事办公室2023年工作总结",
    "一、外事接待",
    "（一）来访接待。2023年，全市接待来访外国团组128批次，其中部长级以上团组9批次。",
])


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


@pytest.fixture
def library(tmp_path: Path) -> tuple[Assistant, CountingEmbedder, Path]:
    docs = tmp_path / "library"
    docs.mkdir()
    (docs / "plan.txt").write_text(PLAN, "utf-8")
    embedder = CountingEmbedder()
    assistant = Assistant(Settings.from_env().replace(docs_dir=docs, index_dir=tmp_path / "index"), embedder=embedder)
    assistant.warm_up()
    return assistant, embedder, tmp_path


def test_an_added_document_is_listed_and_answerable_at_once_and_only_its_text_is_embedded(library) -> None:
    assistant, embedder, tmp = library
    source = tmp / "报告.txt"
    source.write_text(REPORT, "utf-8")
    before = embedder.embedded
    report = assistant.add_documents([source])
    assert [(a.status, a.name) for a in report.added] == [("added", "报告.txt")]
    assert report.reused > 0 and 0 < embedder.embedded - before < 20  # the plan's vectors are kept
    names = [d.name for d in assistant.documents()]
    assert names == ["plan.txt", "报告.txt"]
    info = assistant.documents()[1]
    assert (info.title, info.format, info.paragraphs) == ("滨江市外事办公室2023年工作总结", "text", 3)
    passages = assistant.retrieve("滨江市2023年接待了多少批来访外国团组", k=3)
    assert passages[0].doc == "报告.txt"
    removed = assistant.remove_document("报告")
    assert removed.removed == ("报告.txt",)
    assert [d.name for d in assistant.documents()] == ["plan.txt"]
    assert all(p.doc == "plan.txt" for p in assistant.retrieve("滨江市2023年接待了多少批来访外国团组", k=3))
    assert not (tmp / "library" / "报告.txt").exists() and source.exists()  # the user's own file is untouched


def test_the_same_content_twice_is_one_document_and_a_taken_name_gets_another(library) -> None:
    assistant, _, tmp = library
    again = tmp / "copy-of-plan.txt"
    again.write_text(PLAN, "utf-8")
    other = tmp / "plan.txt"
    other.write_text(REPORT, "utf-8")
    report = assistant.add_documents([again, other])
    assert [(a.status, a.name) for a in report.added] == [("duplicate", "plan.txt"), ("added", "plan-2.txt")]
    assert sorted(d.name for d in assistant.documents()) == ["plan-2.txt", "plan.txt"]


def test_unreadable_files_are_refused_with_their_reason_and_the_rest_are_added(library) -> None:
    assistant, _, tmp = library
    good = tmp / "report.txt"
    good.write_text(REPORT, "utf-8")
    empty = tmp / "empty.pdf"
    empty.write_bytes(b"")
    fake = tmp / "notes.pdf"
    fake.write_text("not a pdf", "utf-8")
    legacy = tmp / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    odd = tmp / "data.xyz"
    odd.write_text("x", "utf-8")
    report = assistant.add_documents([empty, fake, legacy, odd, good])
    status = {a.source: (a.status, a.message) for a in report.added}
    assert status["report.txt"][0] == "added"
    for name, reason in (("empty.pdf", "0 bytes"), ("notes.pdf", "not a PDF"), ("old.doc", "save it as .docx"),
                         ("data.xyz", "unsupported file type")):
        assert status[name][0] == "refused" and reason in status[name][1], status[name]
    files = sorted(p.name for p in (tmp / "library").iterdir() if not p.name.startswith("."))
    assert files == ["plan.txt", "report.txt"]  # nothing refused was written


@pytest.mark.parametrize(("offered", "kept"), [
    ("../../etc/evil.txt", "evil.txt"),
    ("C:\\Users\\me\\工作总结.docx", "工作总结.docx"),
    ("bad\x00name\x07.pdf", "badname.pdf"),
    (".hidden.md", "hidden.md"),
    ("Report.PDF", "Report.pdf"),
])
def test_an_uploaded_name_never_leaves_the_library_folder(offered: str, kept: str) -> None:
    assert safe_name(offered) == kept


@pytest.mark.parametrize("offered", ["..", "../", "   ", "noextension", "\x01\x02"])
def test_a_name_with_nothing_usable_left_is_refused(offered: str) -> None:
    with pytest.raises(RagError):
        safe_name(offered)


def test_an_upload_named_to_escape_is_written_inside_the_library(library) -> None:
    assistant, _, tmp = library
    source = tmp / "upload.tmp"
    source.write_text(REPORT, "utf-8")
    report = assistant.add_documents([("../../outside.txt", source)])
    assert report.added[0].name == "outside.txt"
    assert (tmp / "library" / "outside.txt").is_file() and not (tmp.parent / "outside.txt").exists()


def test_removing_a_document_not_in_the_library_says_so(library) -> None:
    assistant, _, _ = library
    with pytest.raises(NotFoundError):
        assistant.remove_document("nothing-like-this")


def test_questions_asked_while_the_library_changes_are_answered_from_one_index_or_the_other(library) -> None:
    assistant, _, tmp = library
    source = tmp / "report.txt"
    source.write_text(REPORT, "utf-8")
    seen: list[set[str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                passages = assistant.retrieve("外国来访团组 友好城市", k=5)
                seen.append({p.doc for p in passages})
                index_docs = {d.name for d in assistant.index.documents}
                assert {p.doc for p in passages} <= index_docs | {"report.txt"}
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    worker = threading.Thread(target=ask)
    worker.start()
    try:
        assistant.add_documents([source])
        assistant.remove_document("report.txt")
        assistant.add_documents([source])
    finally:
        stop.set()
        worker.join()
    assert not errors, errors[:1]
    assert seen and all(s <= {"plan.txt", "report.txt"} for s in seen)
