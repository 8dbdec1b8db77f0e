"""`make bench`: load-test a real server on loopback.

Starts `harbour serve` as a subprocess (the index must exist: `make setup`), measures
cold-start-to-ready, then sends mixed-language messages from 8 concurrent clients and reports
p50/p95 latency, requests/s and the server's peak RSS. Bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

MESSAGES = [
    ("en", "My employer lost its sponsor licence, what happens to my visa?"),
    ("hi", "मेरे नियोक्ता का स्पॉन्सर लाइसेंस रद्द हो गया है, अब मेरे वीज़ा का क्या होगा?"),
    ("ur", "میری تنخواہ دو مہینے سے نہیں ملی، میں کیا کروں؟"),
    ("ml", "എന്റെ സ്പോൺസർ ലൈസൻസ് റദ്ദാക്കി, എനിക്ക് എത്ര ദിവസം ഉണ്ട്?"),
    ("tl", "Hindi pa binabayaran ang sahod ko ng dalawang buwan, ano ang gagawin ko?"),
    ("sw", "Mwajiri wangu amepoteza leseni ya udhamini, nifanye nini sasa?"),
    ("yo", "Agbanisíṣẹ́ mi kò san owó oṣù mi fún oṣù méjì"),
    ("sn", "Ndingawana sei basa idzva kana sponsor yangu yarasikirwa nerezinesi?"),
    ("pa", "ਮੈਨੂੰ ਨਵਾਂ ਸਪਾਂਸਰ ਕਿਵੇਂ ਮਿਲੇਗਾ?"),
    ("bn", "আমার বাড়িওয়ালা আমাকে বাড়ি ছাড়তে বলছে, আমি কী করব?"),
    ("ta", "எனக்கு GP யில் பதிவு செய்ய வேண்டும், எப்படி?"),
    ("ne", "मेरो तलब दुई महिनादेखि पाएको छैन, म के गरूँ?"),
    ("gu", "મારા એમ્પ્લોયરે મારો પગાર ચૂકવ્યો નથી, હું શું કરું?"),
    ("en", "my boss keeps my passport and says I owe him £5000"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()

    port = free_port()
    env = dict(os.environ, HARBOUR_LOG_LEVEL="WARNING")
    harbour = str(Path(sys.executable).with_name("harbour"))
    started = time.perf_counter()
    proc = subprocess.Popen([harbour, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        ready_s = None
        with httpx.Client(timeout=2) as c:
            while time.perf_counter() - started < 120:
                try:
                    if c.get(f"{base}/readyz").status_code == 200:
                        ready_s = time.perf_counter() - started
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        if ready_s is None:
            print("server did not become ready within 120 s")
            return 1
        latencies: list[float] = []
        errors = 0
        lock = threading.Lock()
        counter = iter(range(args.requests))
        deadline = time.perf_counter() + args.max_seconds

        def client(n: int) -> None:
            nonlocal errors
            with httpx.Client(timeout=30) as c:
                for i in counter:
                    if time.perf_counter() > deadline:
                        return
                    _, text = MESSAGES[(i + n) % len(MESSAGES)]
                    t = time.perf_counter()
                    r = c.post(f"{base}/api/chat", json={"message": text})
                    dt = time.perf_counter() - t
                    with lock:
                        if r.status_code == 200:
                            latencies.append(dt)
                        else:
                            errors += 1

        # warm-up: one of each message
        with httpx.Client(timeout=30) as c:
            for _, text in MESSAGES:
                c.post(f"{base}/api/chat", json={"message": text})
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        q = statistics.quantiles(latencies, n=100)
        result = {
            "clients": args.clients,
            "requests": len(latencies),
            "errors": errors,
            "p50_ms": round(q[49] * 1000, 1),
            "p95_ms": round(q[94] * 1000, 1),
            "requests_per_s": round(len(latencies) / wall, 1),
            "peak_rss_mb": round(peak_rss_mb(proc.pid), 0),
            "cold_start_to_ready_s": round(ready_s, 1),
        }
        targets = {
            "p50_ms": 150,
            "p95_ms": 400,
            "requests_per_s": 10,
            "peak_rss_mb": 1536,
            "cold_start_to_ready_s": 20,
        }
        print("| metric | value | target |\n|---|---|---|")
        ok = errors == 0
        for k, v in result.items():
            target = targets.get(k)
            if target is not None:
                good = v >= target if k == "requests_per_s" else v <= target
                ok &= good
                sign = "≥" if k == "requests_per_s" else "≤"
                print(f"| {k} | {v} | {sign} {target} {'✓' if good else '✗'} |")
            else:
                print(f"| {k} | {v} | |")
        Path("bench-results").mkdir(exist_ok=True)
        Path("bench-results/chat.json").write_text(json.dumps(result, indent=2))
        return 0 if ok else 1
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
