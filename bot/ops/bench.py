"""`make bench`: drive conversations through /api/chat with one Rasa replica, then two, and
report throughput, latency and memory side by side.

Targets (checked here, never in timed tests, because these machines are noisy):
p95 <= 150 ms at 20 concurrent conversations on 2 cores, ready in <= 60 s with a
trained model, and each Rasa process at <= 1.5 GB. Issue 15's targets are reported beside
them: >= 80 msg/s closed-loop with 20 conversations and one replica, p95 <= 120 ms
open-loop at 25 msg/s (families arriving on their own, not clients waiting on each other),
and <= 1.2 GB for one replica's processes together. Every load also reports the load
generator's own CPU, since it shares the machine with what it measures.

Both runs use the same stores, so only the number of replicas differs: the tracker
store (a scratch database on the PostgreSQL server given with --postgres, as `make bench`
does when PostgreSQL answers; the URL given with --tracker-store-url; else SQLite in a
scratch folder, which two replicas must share through file locks) and Redis locks
(LOCK_STORE_URL, or Redis on 127.0.0.1:6379). Without Redis only one replica runs.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.core.settings import Settings
from bot.nlu.training import model_path
from bot.ops.stack import Stack

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
# Issue 15: measured and reported; not yet met on the 2-core machine.
GOALS = {"closed_msg_s": 80.0, "open_p95_ms": 120.0, "total_rss_mb": 1228.8}
OPEN_RATE = 25.0  # messages a second arriving on their own
OPEN_SESSIONS = 60  # conversations the arrivals are spread over
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
ERROR_PAUSE = 0.5  # seconds a simulated family waits after an error before trying again


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


@dataclass
class Load:
    """One measured load: messages answered, their latencies, and what went wrong."""

    label: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    cpu_s: float = 0.0  # the load generator's own CPU time

    @property
    def cpu_percent(self) -> float:
        """The load generator's CPU, as a share of one core."""
        return 100 * self.cpu_s / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        return (
            f"{self.label}: {len(self.latencies)} messages, {len(self.errors)} errors, {self.per_second:.1f} msg/s, "
            f"p50 {self.percentile(50):.0f} ms, p95 {self.percentile(95):.0f} ms, p99 {self.percentile(99):.0f} ms, "
            f"load generator CPU {self.cpu_percent:.0f}%"
        )


async def _user(
    session: aiohttp.ClientSession, url: str, name: str, delay: float, deadline: float, think: float, load: Load
) -> None:
    turn = 0
    await asyncio.sleep(delay)  # people do not all press send at the same moment
    while time.monotonic() < deadline:
        if await _one(session, url, f"{name}-{turn // len(SCRIPT)}", SCRIPT[turn % len(SCRIPT)], load):
            turn += 1
            await asyncio.sleep(think)
        else:
            # A person waits before trying again, and a failing server must not be hammered
            # in a tight loop that measures only the load generator.
            await asyncio.sleep(max(think, ERROR_PAUSE))


def drive(url: str, label: str, users: int, seconds: float, think: float) -> Load:
    """Closed loop: each conversation sends its next message once the last is answered."""

    async def main(load: Load) -> None:
        run = uuid.uuid4().hex[:6]
        deadline = time.monotonic() + seconds
        async with _client() as session:
            await asyncio.gather(
                *(_user(session, url, f"bench-{run}-{u}", think * u / users, deadline, think, load) for u in range(users))
            )

    return _measured(Load(label), main)


async def _one(session: aiohttp.ClientSession, url: str, session_id: str, text: str, load: Load) -> bool:
    """One message and its answer, recorded in `load`; whether it was answered."""
    started = time.perf_counter()
    try:
        async with session.post(f"{url}/api/chat", json={"session_id": session_id, "text": text}) as r:
            await r.read()
            error = None if r.status == 200 else str(r.status)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        error = type(exc).__name__
    if error is None:
        load.latencies.append((time.perf_counter() - started) * 1000)
    else:
        load.errors.append(error)
    return error is None


def drive_open(url: str, label: str, rate: float, seconds: float, conversations: int = OPEN_SESSIONS) -> Load:
    """Open loop: messages arrive at `rate` a second (Poisson, seeded), whether or not earlier
    ones have been answered, as families do; each goes to the next step of one of the conversations."""

    async def main(load: Load) -> None:
        arrivals = random.Random(15)
        run = uuid.uuid4().hex[:6]
        turns = [0] * conversations
        pending: list[asyncio.Task[bool]] = []
        deadline = time.monotonic() + seconds
        async with _client() as session:
            due = time.monotonic()
            while due < deadline:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                c = arrivals.randrange(conversations)
                session_id = f"open-{run}-{c}-{turns[c] // len(SCRIPT)}"
                pending.append(asyncio.create_task(_one(session, url, session_id, SCRIPT[turns[c] % len(SCRIPT)], load)))
                turns[c] += 1
                due += arrivals.expovariate(rate)
            await asyncio.gather(*pending)

    return _measured(Load(label), main)


def _client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), connector=aiohttp.TCPConnector(limit=0))


def _measured(load: Load, main: Callable[[Load], Coroutine[Any, Any, None]]) -> Load:
    """Run one load, timing it and the load generator's own CPU."""
    started, cpu = time.monotonic(), time.process_time()
    asyncio.run(main(load))
    load.elapsed = time.monotonic() - started
    load.cpu_s = time.process_time() - cpu
    print(f"  {load.line()}", flush=True)
    return load


@dataclass
class Run:
    replicas: int
    ready_s: float
    loads: dict[str, Load]
    peak_mb: dict[str, float]


def measure(settings: Settings, model: Path, replicas: int, seconds: float, think: float, sessions: tuple[int, ...]) -> Run:
    scratch = Path(tempfile.mkdtemp(prefix="bot-bench-"))
    shape = settings.with_replicas(replicas).isolated(scratch)
    stack = Stack(shape, model, log_dir=scratch / "logs")
    print(f"{replicas} Rasa replica{'s' if replicas > 1 else ''} (logs in {scratch / 'logs'})", flush=True)
    started = time.monotonic()
    stack.start()
    ready = time.monotonic() - started
    watch = MemoryWatch(stack)
    watch.start()
    loads: dict[str, Load] = {}
    try:
        loads["sequential"] = drive(stack.url, "sequential, 1 conversation, no pause", 1, min(10.0, seconds), 0.0)
        busiest = max(sessions)
        loads["capacity"] = drive(stack.url, f"capacity, {busiest} conversations, no pause", busiest, min(15.0, seconds), 0.0)
        loads["closed-20"] = drive(stack.url, "closed loop, 20 conversations, no pause", 20, min(15.0, seconds), 0.0)
        loads["open"] = drive_open(stack.url, f"open loop, {OPEN_RATE:g} msg/s arriving", OPEN_RATE, seconds)
        for users in sessions:
            loads[f"think-{users}"] = drive(
                stack.url, f"{users} conversations, {think:g} s between a reply and the next message", users, seconds, think
            )
    finally:
        watch.stopped.set()
        watch.join()
        stack.stop()
    return Run(replicas, ready, loads, watch.peak)


def _redis_for_locks(settings: Settings) -> str | None:
    url = settings.lock_store_url or LOCAL_REDIS
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError:
        return None
    return url


def _table(runs: list[Run], sessions: tuple[int, ...], think: float) -> list[str]:
    def row(label: str, values: list[str]) -> str:
        return f"{label:<44}" + "".join(f"{v:>14}" for v in values)

    rows = [row("", [f"{r.replicas} replica{'s' if r.replicas > 1 else ''}" for r in runs])]
    rows.append(row("ready (s)", [f"{r.ready_s:.1f}" for r in runs]))
    busiest = max(sessions)
    rows.append(row(f"throughput, {busiest} sessions, no pause (msg/s)", [f"{r.loads['capacity'].per_second:.1f}" for r in runs]))
    rows.append(
        row(
            "  p50 / p95 (ms)",
            [f"{r.loads['capacity'].percentile(50):.0f} / {r.loads['capacity'].percentile(95):.0f}" for r in runs],
        )
    )
    rows.append(
        row(
            "sequential p50 / p95 (ms)",
            [f"{r.loads['sequential'].percentile(50):.0f} / {r.loads['sequential'].percentile(95):.0f}" for r in runs],
        )
    )
    for users in sessions:
        rows.append(
            row(
                f"{users} sessions, {think:g} s think: p95 (ms)",
                [f"{r.loads[f'think-{users}'].percentile(95):.0f}" for r in runs],
            )
        )
        rows.append(
            row(
                "  msg/s, errors",
                [f"{r.loads[f'think-{users}'].per_second:.1f}, {len(r.loads[f'think-{users}'].errors)}" for r in runs],
            )
        )
    rows.append(
        row(
            "peak RSS per Rasa replica (MB)",
            [f"{max(v for k, v in r.peak_mb.items() if k.startswith('rasa')):.0f}" for r in runs],
        )
    )
    rows.append(row("peak RSS actions / web (MB)", [f"{r.peak_mb['actions']:.0f} / {r.peak_mb['web']:.0f}" for r in runs]))
    rows.append(row("peak RSS, all processes (MB)", [f"{sum(r.peak_mb.values()):.0f}" for r in runs]))
    closed, opened = (lambda r: r.loads["closed-20"]), (lambda r: r.loads["open"])
    rows.append(row("closed loop, 20 sessions, no pause (msg/s)", [f"{closed(r).per_second:.1f}" for r in runs]))
    rows.append(row("  p50 / p95 (ms), load generator CPU", [_latency_cpu(closed(r)) for r in runs]))
    rows.append(row(f"open loop, {OPEN_RATE:g} msg/s: p50 / p95 (ms), CPU", [_latency_cpu(opened(r)) for r in runs]))
    rows.append(row("  answered msg/s, errors", [f"{opened(r).per_second:.1f}, {len(opened(r).errors)}" for r in runs]))
    return rows


def _latency_cpu(load: Load) -> str:
    return f"{load.percentile(50):.0f}/{load.percentile(95):.0f}, {load.cpu_percent:.0f}%"


@contextmanager
def scratch_database(admin_url: str, prefix: str = "bench") -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its URL.

    The bench measures on one, and the tests run on one each, so neither touches real data.
    Connections are allowed again before dropping, in case a test took the database down."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def run(
    settings: Settings,
    seconds: float,
    think: float,
    sessions: tuple[int, ...],
    tracker_store_url: str | None,
    postgres: str | None = None,
) -> int:
    if postgres:
        with scratch_database(postgres) as url:
            return run(settings, seconds, think, sessions, url)
    model = model_path(settings)
    if not model.exists():
        print("no trained model: run 'bot train' first")
        return 1
    locks = _redis_for_locks(settings)
    base = replace(
        settings, lock_store_url=locks, redis_prefix=f"bench{uuid.uuid4().hex[:8]}", rate_limit_storage_url=locks or "memory://"
    )
    if tracker_store_url:
        base = replace(base, tracker_store_url=tracker_store_url)
    counts = (1, 2) if locks else (1,)
    if not locks:
        print("Redis does not answer (LOCK_STORE_URL, or 127.0.0.1:6379): measuring one replica only")
    print(
        f"tracker store: {'SQLite' if base.tracker_store_url.startswith('sqlite') else 'PostgreSQL'}; "
        f"locks: {'Redis' if locks else 'in memory'}",
        flush=True,
    )
    runs = [measure(base, model, n, seconds, think, sessions) for n in counts]
    print()
    for line in _table(runs, sessions, think):
        print(line)
    print()
    first = min(sessions)
    checks = {}
    for r in runs:
        load = r.loads[f"think-{first}"]
        rasa = max(v for k, v in r.peak_mb.items() if k.startswith("rasa"))
        p95 = load.percentile(95)
        checks.update(
            {
                f"{r.replicas}x: p95 at {first} sessions {p95:.0f} ms <= {TARGETS['p95_ms']:.0f} ms": p95 <= TARGETS["p95_ms"],
                f"{r.replicas}x: ready {r.ready_s:.1f} s <= {TARGETS['ready_s']:.0f} s": r.ready_s <= TARGETS["ready_s"],
                f"{r.replicas}x: rasa {rasa:.0f} MB <= {TARGETS['rasa_rss_mb']:.0f} MB": rasa <= TARGETS["rasa_rss_mb"],
                f"{r.replicas}x: errors {sum(len(x.errors) for x in r.loads.values())} == 0": not any(
                    x.errors for x in r.loads.values()
                ),
            }
        )
    for label, ok in checks.items():
        print(f"{'met' if ok else 'MISSED'}: {label}")
    one = runs[0]
    goals = {
        f"closed loop, 20 sessions: {one.loads['closed-20'].per_second:.1f} msg/s >= {GOALS['closed_msg_s']:.0f}": one.loads[
            "closed-20"
        ].per_second
        >= GOALS["closed_msg_s"],
        f"open loop p95 {one.loads['open'].percentile(95):.0f} ms <= {GOALS['open_p95_ms']:.0f} ms": one.loads["open"].percentile(
            95
        )
        <= GOALS["open_p95_ms"],
        f"one replica's processes {sum(one.peak_mb.values()):.0f} MB <= {GOALS['total_rss_mb']:.0f} MB": sum(one.peak_mb.values())
        <= GOALS["total_rss_mb"],
    }
    for label, ok in goals.items():
        print(f"issue 15 goal {'met' if ok else 'not yet met'}: {label}")
    return 0 if all(checks.values()) else 1
