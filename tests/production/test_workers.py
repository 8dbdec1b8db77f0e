"""`harbour serve --workers N`: several processes on PostgreSQL and the Chroma server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.cli import app as cli

REPO = Path(__file__).resolve().parents[2]


def test_several_workers_refuse_an_on_disk_chroma_store(tmp_path, monkeypatch):
    monkeypatch.setenv("HARBOUR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HARBOUR_VECTOR_STORE__URL", raising=False)
    r = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "1"])
    assert r.exit_code == 2
    assert "HARBOUR_VECTOR_STORE__URL" in r.output


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


@pytest.mark.slow
def test_two_workers_on_postgres_and_chroma_server_share_the_rate_limit(
    tmp_path, postgres_url, chroma_url
):
    """Two real worker processes: each loads the models and opens the Chroma server's
    collection, and both count one session's messages in PostgreSQL: the 16th in a minute is
    refused."""
    harbour = str(Path(sys.executable).with_name("harbour"))
    data = tmp_path / "data"
    (data / "cache").mkdir(parents=True)
    for f in (REPO / "data" / "cache").glob("*.npz"):  # the safeguarding exemplars, if built
        (data / "cache" / f.name).write_bytes(f.read_bytes())
    env = dict(
        os.environ,
        HARBOUR_DATA_DIR=str(data),
        HARBOUR_DATABASE__URL=postgres_url,
        HARBOUR_VECTOR_STORE__URL=chroma_url,
        HARBOUR_VECTOR_STORE__COLLECTION=f"workers-{tmp_path.name[-8:]}",
        HARBOUR_ENVIRONMENT="test",
        HARBOUR_LOG_LEVEL="WARNING",
        HARBOUR_RETENTION__RUN_EVERY_HOURS="0",
    )
    port = _free_port()
    proc = subprocess.Popen(
        [harbour, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        streak = 0
        while streak < 8 and time.monotonic() < deadline:  # both workers ready
            try:
                ok = httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                ok = False
            streak = streak + 1 if ok else 0
            time.sleep(0.2 if ok else 1)
        assert streak >= 8, "the workers did not become ready"
        assert len(_children(proc.pid)) >= 2  # uvicorn's supervisor and its worker processes

        codes, session = [], None
        for i in range(16):
            # a new connection each time, so the supervisor spreads them over both workers
            r = httpx.post(
                f"{base}/api/chat",
                json={"message": f"where can I find care jobs {i}", "session_id": session},
                timeout=60,
            )
            codes.append(r.status_code)
            session = r.json().get("session_id", session)
        assert codes == [200] * 15 + [429]
        assert r.json()["error"]["code"] == "rate_limited"
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
