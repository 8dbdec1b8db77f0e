"""Nothing lost: the real server as a subprocess, concurrent workers, SIGKILL at random moments.

Every message that got a 200 reply must have exactly one case after the dust settles; clients
retry with the same message id (and their own session id) until they get a reply, so a message
committed just before a kill is answered from the database on retry, never duplicated.
Figures are printed (run with -s) and written to $HARBOUR_KILL_TEST_REPORT when set.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.safeguarding.conftest import small_content

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 8
PER_CLIENT = 26  # 208 messages
KILLS = 3
MESSAGES = [
    "My boss keeps my passport and says I owe him £5000",
    "Hawak ng amo ko ang passport ko at sinasabi niyang may utang ako sa kanya na £5000",
    "Bosi wangu ameshika pasipoti yangu na anasema ninamdai £5000",
    "मेरा मालिक मेरा पासपोर्ट अपने पास रखता है और कहता है कि मैं उसका £5000 का कर्ज़दार हूँ",
    "I want to kill myself tonight",
    "My employer took my passport and BRP and will not give them back",
]
COUNCILS = ["birmingham", "walsall", None, "coventry"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HARBOUR_DATA_DIR": str(tmp / "data"),
            "HARBOUR_CONTENT_DIR": str(small_content(tmp / "content")),
            "HARBOUR_ENVIRONMENT": "test",
            "HARBOUR_SAFEGUARDING__SEMANTIC": "false",
            "HARBOUR_LOG_LEVEL": "WARNING",
            # the abuse limits would throttle this deliberate flood from one address
            "HARBOUR_LIMITS__MESSAGES_PER_ADDRESS": "",
            "HARBOUR_LIMITS__MESSAGES_PER_SESSION": "",
            "HF_HUB_OFFLINE": "1",
            "ANONYMIZED_TELEMETRY": "False",
        }
        self.log = open(tmp / "server.log", "ab")  # noqa: SIM115 (closed in stop)
        self.proc: subprocess.Popen | None = None
        self.ready = threading.Event()

    def start(self) -> None:
        self.ready.clear()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            assert self.proc.poll() is None, "the server exited on its own"
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    self.ready.set()
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("server not ready in time")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def client_run(server: Server, n: int, results: list, stats: dict, lock, deadline: float):
    rng = random.Random(n)
    session = secrets.token_urlsafe(32)  # the client's own id: the first message is retryable
    council = COUNCILS[n % len(COUNCILS)]
    with httpx.Client(timeout=30) as http:
        for i in range(PER_CLIENT):
            payload = {
                "message": rng.choice(MESSAGES),
                "session_id": session,
                "local_authority": council,
                "message_id": f"c{n}-m{i}-{secrets.token_hex(4)}",
            }
            attempts = 0
            while time.monotonic() < deadline:
                attempts += 1
                try:
                    r = http.post(f"{server.url}/api/chat", json=payload)
                except httpx.HTTPError:
                    server.ready.wait(5)
                    continue
                if r.status_code == 200:
                    body = r.json()
                    assert body["session_id"] == session and body["escalated"]
                    with lock:
                        results.append((session, payload["message_id"]))
                        stats["attempts"] += attempts
                        stats["retried"] += attempts > 1
                    break
                assert r.status_code == 503, r.text  # starting up: anything else is a bug
                time.sleep(0.3)


def test_every_replied_message_has_exactly_one_case_through_sigkills(tmp_path):
    t_start = time.monotonic()
    server = Server(tmp_path)
    server.start()
    startup = [server.wait_ready()]
    results: list[tuple[str, str]] = []
    stats = {"attempts": 0, "retried": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + 480
    threads = [
        threading.Thread(
            target=client_run, args=(server, n, results, stats, lock, deadline), daemon=True
        )
        for n in range(CLIENTS)
    ]
    rng = random.Random(4)
    kill_times = []
    try:
        for t in threads:
            t.start()
        total = CLIENTS * PER_CLIENT
        # Kill points by progress, not by clock, so a fast machine cannot finish first.
        targets = sorted(rng.sample(range(total // 10, total * 85 // 100), KILLS))
        for target in targets:
            while time.monotonic() < deadline:
                with lock:
                    if len(results) >= target:
                        break
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.2))  # requests in flight: some committed, not replied
            kill_times.append(round(time.monotonic() - t_start, 1))
            with lock:
                replied_before_kill = len(results)
            server.ready.clear()
            server.kill()
            assert replied_before_kill < CLIENTS * PER_CLIENT, "kill came after all traffic"
            server.start()
            startup.append(server.wait_ready())
        for t in threads:
            t.join(max(1.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in threads), "clients did not finish in time"
    finally:
        server.stop()

    con = sqlite3.connect(tmp_path / "data" / "harbour.db")
    per_message = {
        (conv, mid): n_cases
        for conv, mid, n_cases in con.execute(
            "SELECT m.conversation_id, m.client_message_id, COUNT(c.id) FROM messages m "
            "LEFT JOIN escalation_cases c ON c.message_id = m.id "
            "WHERE m.role = 'user' GROUP BY m.id"
        )
    }
    user_rows = con.execute("SELECT COUNT(*) FROM messages WHERE role = 'user'").fetchone()[0]
    cases_total = con.execute("SELECT COUNT(*) FROM escalation_cases").fetchone()[0]
    con.close()
    replied = {(hashlib.sha256(s.encode()).hexdigest(), mid) for s, mid in results}
    missing = [k for k in replied if per_message.get(k, 0) == 0]
    duplicated = [k for k in replied if per_message.get(k, 0) > 1]
    figures = {
        "messages_sent": CLIENTS * PER_CLIENT,
        "replied_200": len(results),
        "http_attempts": stats["attempts"],
        "messages_retried": stats["retried"],
        "kills": len(kill_times),
        "kill_at_s": kill_times,
        "startup_s": [round(s, 1) for s in startup],
        "user_message_rows": user_rows,
        "cases_found": cases_total,
        "replied_without_case": len(missing),
        "duplicate_cases": len(duplicated) + (user_rows - len(per_message)),
        "wall_s": round(time.monotonic() - t_start, 1),
    }
    print("\nnothing-lost figures:", json.dumps(figures))
    if os.environ.get("HARBOUR_KILL_TEST_REPORT"):
        Path(os.environ["HARBOUR_KILL_TEST_REPORT"]).write_text(json.dumps(figures, indent=2))
    assert len(results) == CLIENTS * PER_CLIENT  # every message was eventually answered
    assert not missing and not duplicated
    assert user_rows == len(replied) == cases_total  # one row and one case per message, no more
