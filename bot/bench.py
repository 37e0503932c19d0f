"""`make bench`: start the stack, drive conversations through /api/chat, report latency and memory.

Targets (checked here, never in timed tests, because these machines are noisy):
p95 <= 150 ms at 20 concurrent conversations on 2 cores, ready in <= 60 s with a
trained model, and the Rasa process at <= 1.5 GB.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

from bot.settings import Settings
from bot.stack import Stack
from bot.training import model_path

SCRIPT = [
    "hello",
    "what is an ehcp",
    "tell me more",
    "how long does an ehcp take",
    "can you explain that more simply",
    "my son is struggling at school and I don't know who to talk to",
    "when do the bins get collected",
    "I want to talk to someone in Thanet",
    "how do I appeal to the tribunal",
    "thanks",
]
TARGETS = {"p95_ms": 150.0, "ready_s": 60.0, "rasa_rss_mb": 1536.0}


def _rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group, in MB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                status = (stat.parent / "status").read_text()
                total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return total / 1024


class MemoryWatch(threading.Thread):
    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.pgids = {name: p.pid for name, p in stack.processes.items()}
        self.peak = {name: 0.0 for name in self.pgids}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            for name, pgid in self.pgids.items():
                self.peak[name] = max(self.peak[name], _rss_mb(pgid))


async def _user(session: aiohttp.ClientSession, url: str, user: int, deadline: float, think: float,
                latencies: list[float], errors: list[str]) -> None:
    turn = 0
    await asyncio.sleep(think * user / 20)  # people do not all press send at the same moment
    while time.monotonic() < deadline:
        text = SCRIPT[turn % len(SCRIPT)]
        started = time.perf_counter()
        try:
            async with session.post(f"{url}/api/chat", json={"session_id": f"bench-{think:g}-{user}-{turn // len(SCRIPT)}", "text": text}) as r:
                await r.read()
                if r.status != 200:
                    errors.append(str(r.status))
                    continue
        except aiohttp.ClientError as exc:
            errors.append(type(exc).__name__)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        turn += 1
        await asyncio.sleep(think)


async def _drive(url: str, users: int, seconds: float, think: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(_user(session, url, u, deadline, think, latencies, errors) for u in range(users)))
    return latencies, errors, time.monotonic() - started


def _percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else float("nan")


def _report(label: str, latencies: list[float], errors: list[str], elapsed: float) -> dict[str, float]:
    result = {"p50_ms": _percentile(latencies, 50), "p95_ms": _percentile(latencies, 95), "p99_ms": _percentile(latencies, 99),
              "msgs_per_s": len(latencies) / elapsed}
    print(f"{label}: {len(latencies)} messages, {len(errors)} errors, {result['msgs_per_s']:.1f} msg/s, "
          f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms")
    return result


def run(settings: Settings, users: int, seconds: float, think: float) -> int:
    model = model_path(settings)
    if not model.exists():
        print("no trained model: run 'bot train' first")
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="bot-bench-"))
    bench = settings.isolated(scratch)
    stack = Stack(bench, model, log_dir=scratch / "logs")
    started = time.monotonic()
    stack.start()
    ready = time.monotonic() - started
    print(f"ready in {ready:.1f} s (target <= {TARGETS['ready_s']:.0f} s)")
    watch = MemoryWatch(stack)
    watch.start()
    try:
        _report("sequential, 1 conversation, no pause", *asyncio.run(_drive(stack.url, 1, min(10.0, seconds), 0.0)))
        _report(f"capacity, {users} conversations, no pause", *asyncio.run(_drive(stack.url, users, min(10.0, seconds), 0.0)))
        latencies, errors, elapsed = asyncio.run(_drive(stack.url, users, seconds, think))
        result = _report(f"target load, {users} conversations, {think:g} s between a reply and the next message",
                         latencies, errors, elapsed)
    finally:
        watch.stopped.set()
        watch.join()
        stack.stop()
    for name, peak in watch.peak.items():
        print(f"peak RSS {name}: {peak:.0f} MB")
    checks = {
        f"p95 {result['p95_ms']:.0f} ms <= {TARGETS['p95_ms']:.0f} ms": result["p95_ms"] <= TARGETS["p95_ms"],
        f"ready {ready:.1f} s <= {TARGETS['ready_s']:.0f} s": ready <= TARGETS["ready_s"],
        f"rasa {watch.peak['rasa']:.0f} MB <= {TARGETS['rasa_rss_mb']:.0f} MB": watch.peak["rasa"] <= TARGETS["rasa_rss_mb"],
        f"errors {len(errors)} == 0": not errors,
    }
    for label, ok in checks.items():
        print(f"{'met' if ok else 'MISSED'}: {label}")
    return 0 if all(checks.values()) else 1
