"""`python scripts/bench.py workers`: chat throughput with 1 and then 2 API workers.

The scale-out set-up, for real: PostgreSQL and a Chroma server on loopback
(scripts/ci-services.sh), the guidance ingested into the Chroma server, then
`harbour serve --workers N` for N = 1, 2 with HARBOUR_DATABASE__URL and
HARBOUR_VECTOR_STORE__URL pointing at them. The same closed-loop load (C clients, each sending
its next message when the last is answered) runs for the same time against each; requests/s and
latency are reported side by side. Rate limits are off for the run (one address, thousands of
messages). Needs the models installed (`make setup`); reuses the repository's embedding caches
(copied, never written) when present.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from bench import MESSAGES, free_port  # noqa: E402


def _services(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, HARBOUR_SERVICES_DIR=str(tmp / "services"))
    out = subprocess.run(
        ["bash", str(REPO / "scripts" / "ci-services.sh"), "start"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    urls = {}
    for line in Path(out.stdout.strip()).read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        urls[key] = value
    if {"HARBOUR_TEST_POSTGRES_URL", "HARBOUR_TEST_CHROMA_URL"} - set(urls):
        raise SystemExit(f"PostgreSQL or Chroma did not start:\n{out.stderr}")
    return urls


def _stop_services(tmp: Path) -> None:
    env = dict(os.environ, HARBOUR_SERVICES_DIR=str(tmp / "services"))
    subprocess.run(["bash", str(REPO / "scripts" / "ci-services.sh"), "stop"], env=env, check=False)


def _wait_ready(base: str, workers: int, timeout_s: float = 300) -> float:
    """Seconds until /readyz says ready 4×workers times in a row (every worker loaded)."""
    t0 = time.perf_counter()
    streak = 0
    with httpx.Client(timeout=2) as c:
        while time.perf_counter() - t0 < timeout_s:
            try:
                ok = c.get(f"{base}/readyz").status_code == 200
            except httpx.TransportError:
                ok = False
            streak = streak + 1 if ok else 0
            if streak >= 4 * workers:
                return time.perf_counter() - t0
            time.sleep(0.1 if ok else 0.5)
    raise SystemExit(f"{workers} worker(s) not ready within {timeout_s} s")


def _load(base: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        nonlocal errors
        i = n
        with httpx.Client(timeout=60) as c:
            while time.perf_counter() < stop_at:
                _, text = MESSAGES[i % len(MESSAGES)]
                i += clients
                t = time.perf_counter()
                r = c.post(f"{base}/api/chat", json={"message": text})
                with lock:
                    if r.status_code == 200:
                        latencies.append(time.perf_counter() - t)
                    else:
                        errors += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
    }


def bench_workers(args) -> int:
    # a timeout's SIGTERM must still stop the servers (the finally blocks below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    harbour = str(Path(sys.executable).with_name("harbour"))
    seconds = min(args.max_seconds, 45.0)
    clients = max(args.clients, 4)
    results: dict[int, dict] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="harbour-bench-") as tmp_s:
        tmp = Path(tmp_s)
        try:
            urls = _services(tmp)
            data = tmp / "data"
            (data / "cache").mkdir(parents=True)
            for f in (REPO / "data" / "cache").glob("*"):  # warm caches, copied
                if f.is_file():
                    shutil.copy2(f, data / "cache" / f.name)
            env = dict(
                os.environ,
                HARBOUR_DATA_DIR=str(data),
                HARBOUR_DATABASE__URL=urls["HARBOUR_TEST_POSTGRES_URL"],
                HARBOUR_VECTOR_STORE__URL=urls["HARBOUR_TEST_CHROMA_URL"],
                HARBOUR_LIMITS__MESSAGES_PER_SESSION="",
                HARBOUR_LIMITS__MESSAGES_PER_ADDRESS="",
                HARBOUR_LIMITS__MAX_CONCURRENT_REQUESTS="0",
                HARBOUR_LOG_LEVEL="WARNING",
                HARBOUR_ENVIRONMENT="test",
            )
            t = time.perf_counter()
            subprocess.run([harbour, "ingest"], env=env, check=True, capture_output=True)
            print(
                f"workers: guidance ingested into the Chroma server in "
                f"{time.perf_counter() - t:.0f} s"
            )
            for n in (1, 2):
                port = free_port()
                proc = subprocess.Popen(
                    [harbour, "serve", "--workers", str(n), "--port", str(port)], env=env
                )
                base = f"http://127.0.0.1:{port}"
                try:
                    ready = _wait_ready(base, n)
                    with httpx.Client(timeout=60) as c:  # warm-up: every message, every worker
                        for _ in range(n):
                            for _, text in MESSAGES:
                                c.post(f"{base}/api/chat", json={"message": text})
                    results[n] = {"ready_s": round(ready, 1), **_load(base, clients, seconds)}
                    print(f"workers: {n} → {results[n]}")
                finally:
                    proc.terminate()
                    try:
                        proc.wait(30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
        finally:
            _stop_services(tmp)
    one, two = results[1]["requests_per_s"], results[2]["requests_per_s"]
    speedup = round(two / one, 2) if one else float("nan")
    cpus = os.cpu_count()
    print(
        f"\nworkers: {clients} clients for {seconds:.0f} s each, PostgreSQL + Chroma server, "
        f"{cpus} CPUs (load average before: {load_before:.1f})"
    )
    print(
        "| workers | requests/s | p50 ms | p95 ms | errors | ready s |\n|---|---|---|---|---|---|"
    )
    for n, r in results.items():
        print(
            f"| {n} | {r['requests_per_s']} | {r['p50_ms']} | {r['p95_ms']} | {r['errors']} "
            f"| {r['ready_s']} |"
        )
    print(f"speed-up 1 → 2 workers: ×{speedup}")
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/workers.json").write_text(
        json.dumps(
            {
                "results": results,
                "speedup": speedup,
                "clients": clients,
                "seconds": seconds,
                "cpus": cpus,
            },
            indent=2,
        )
    )
    errors = sum(r["errors"] for r in results.values())
    return 0 if errors == 0 and speedup > 1.0 else 1
