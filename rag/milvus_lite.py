"""Running a Milvus Lite server on one machine: for the tests, CI and a laptop trial.

``python -m rag.milvus_lite start [--port P] [--data-dir D] [--wait S]`` starts
``milvus-lite server`` on a loopback port (a free one by default), waits until it answers
and prints shell assignments (``RAG_TEST_MILVUS_URI``, ``RAG_TEST_MILVUS_PID``,
``RAG_TEST_MILVUS_DATA``); ``stop PID [DATA]`` ends it and removes a temporary data folder.
A server that does not come up is reported with the end of its log.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rag.errors import StoreError


@dataclass(frozen=True)
class Server:
    uri: str
    pid: int
    data_dir: Path
    log: Path
    temporary: bool

    def stop(self) -> None:
        stop(self.pid, self.data_dir if self.temporary else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def executable() -> str:
    """The milvus-lite command beside this Python, else on PATH."""
    beside = Path(sys.executable).with_name("milvus-lite")
    found = str(beside) if beside.exists() else shutil.which("milvus-lite")
    if not found:
        raise StoreError("milvus-lite is not installed: pip install -e '.[milvus]'")
    return found


def start(port: int = 0, data_dir: Path | None = None, wait: float = 60.0) -> Server:
    """Start a server on 127.0.0.1 and return once it answers (StoreError with its log if not)."""
    port = port or free_port()
    temporary = data_dir is None
    data = Path(tempfile.mkdtemp(prefix="milvus-lite-")) if data_dir is None else Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    log = data.with_name(data.name + ".log")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [executable(), "server", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait
    while True:
        if process.poll() is not None:
            raise StoreError(f"milvus-lite exited with code {process.returncode} before answering: {_tail(log)}")
        if _answers(uri):
            return Server(uri, process.pid, data, log, temporary)
        if time.monotonic() > deadline:
            stop(process.pid, data if temporary else None)
            raise StoreError(f"milvus-lite did not answer on {uri} within {wait:.0f} s: {_tail(log)}")
        time.sleep(0.25)


def stop(pid: int, data_dir: Path | None = None, grace: float = 10.0) -> None:
    """End the server (TERM, then KILL after ``grace`` seconds) and remove a temporary folder."""
    try:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            os.killpg(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    if data_dir is not None:
        shutil.rmtree(data_dir, ignore_errors=True)
        Path(str(data_dir) + ".log").unlink(missing_ok=True)


def _answers(uri: str) -> bool:
    host, port = uri.rsplit(":", 1)
    try:
        with socket.create_connection((host.split("//")[-1], int(port)), timeout=0.5):
            pass
    except OSError:
        return False
    try:
        from pymilvus import MilvusClient

        MilvusClient(uri=uri, timeout=2.0).list_collections()
        return True
    except Exception:  # not ready yet: any failure of the client means "try again"
        return False


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return " | ".join(log.read_text("utf-8", "replace").splitlines()[-lines:]) or "(empty log)"
    except OSError:
        return "(no log)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.milvus_lite", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("start", help="start a server and print shell assignments")
    up.add_argument("--port", type=int, default=0)
    up.add_argument("--data-dir", type=Path)
    up.add_argument("--wait", type=float, default=60.0)
    down = sub.add_parser("stop", help="stop a server started by `start`")
    down.add_argument("pid", type=int)
    down.add_argument("data_dir", nargs="?", default="")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            server = start(args.port, args.data_dir, args.wait)
            print(f"export RAG_TEST_MILVUS_URI={server.uri} RAG_TEST_MILVUS_PID={server.pid} "
                  f"RAG_TEST_MILVUS_DATA={server.data_dir if server.temporary else ''}")
        else:
            stop(args.pid, Path(args.data_dir) if args.data_dir else None)  # "" keeps every folder
    except StoreError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
