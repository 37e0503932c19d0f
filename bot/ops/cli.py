"""The `bot` command: everything staff and engineers do, from one place."""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ["RASA_TELEMETRY_ENABLED"] = "false"  # before anything imports rasa
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import warnings  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from bot.core import env, lean  # noqa: E402
from bot.core import settings as settings_module  # noqa: E402
from bot.core.settings import ROOT, ConfigError, Settings  # noqa: E402

LOG_LEVEL_VARIABLE = "BOT_LOG_LEVEL"
# Commands that never train or run Rasa, so their process need not load TensorFlow (bot/core/lean.py).
WITHOUT_NEURAL_NETWORKS = {"content", "dates", "web", "safety", "nlu", "ask", "eval", "data"}

if TYPE_CHECKING:
    from bot.assistant.content import Content
    from bot.core.areas import Areas
    from bot.ops.stack import Stack
    from bot.storage.directory import Directory
    from bot.storage.staff import Staff


def _settings() -> Settings:
    try:
        return settings_module.load()
    except ConfigError as exc:
        sys.exit(f"configuration error: {exc}")


def _content(settings: Settings) -> Content:
    """Content with all its checks. Imported here, not at the top, so `bot web` stays small:
    checking content needs spaCy, and the web app never does."""
    from bot.assistant import content

    return content.load(settings.content_dir)


def _print_errors(loaded: Content, settings: Settings) -> None:
    for problem in loaded.errors:
        print(problem.format(settings.content_dir.parent), file=sys.stderr)


def _load_content(settings: Settings) -> Content:
    loaded = _content(settings)
    if loaded.errors:
        _print_errors(loaded, settings)
        sys.exit(f"content has {len(loaded.errors)} errors: fix them, then run again ('bot content check' lists them all)")
    return loaded


def verbose() -> bool:
    """Whether to show everything: `bot -v ...` or BOT_LOG_LEVEL=debug (children inherit it)."""
    return os.environ.get(LOG_LEVEL_VARIABLE, "").lower() == "debug"


def _quiet_unless_verbose() -> None:
    """Third-party deprecation warnings, progress bars and debug lines are for engineers who
    ask for them; by default a person sees the steps, training progress and "ready"."""
    if verbose():
        return
    warnings.simplefilter("ignore")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # TensorFlow is imported (by spaCy's thinc) but never used here


def _train(settings: Settings, force: bool = False) -> Path:
    from bot.nlu.training import train

    started = time.monotonic()
    loaded = _load_content(settings)

    def announce() -> None:
        print("training the language model on the content's example questions (a few minutes)...", file=sys.stderr)

    model, trained = train(
        loaded, settings, force=force, announce=announce, log_level=logging.DEBUG if verbose() else logging.WARNING
    )
    if trained:
        print(f"trained {model.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    else:
        print(f"model {model.name} matches the content and config: not retraining", file=sys.stderr)
    _train_safety(loaded, settings)
    _embed_examples(loaded, settings)
    return model


def _train_in_child(settings: Settings) -> Path | None:
    """`bot train` in its own process, so `bot serve` (which stays up to supervise the others),
    `bot ask` and `bot eval` never hold Rasa, TensorFlow or spaCy (about 450 MB); None if it failed."""
    import subprocess

    from bot.nlu.training import model_path

    command = [sys.executable, "-m", "bot.ops.cli", *(["-v"] if verbose() else []), "train"]
    if subprocess.run(command, check=False).returncode != 0:
        return None
    return model_path(settings)


def _train_safety(loaded: Content, settings: Settings) -> None:
    """Train the safety classifier now, so the action server starts without waiting for it."""
    from bot.assistant.safety_training import safety_classifier

    started = time.monotonic()
    print("preparing the safety classifier...", file=sys.stderr)
    safety_classifier(loaded, settings)
    print(f"safety classifier ready in {time.monotonic() - started:.0f} s", file=sys.stderr)


def _embed_examples(loaded: Content, settings: Settings) -> None:
    """Embed the example questions now, on every core, so the action server starts without waiting."""
    from bot.assistant.safety_training import NLU_DATA
    from bot.assistant.similar_questions import similar_questions

    started = time.monotonic()
    print("embedding the example questions for the similar-questions vote (a few minutes the first time)...", file=sys.stderr)
    similar_questions(loaded, NLU_DATA, settings.models_dir, threads=None)
    print(f"similar questions ready in {time.monotonic() - started:.0f} s", file=sys.stderr)


@contextmanager
def _running(settings: Settings, url: str | None) -> Iterator[str]:
    """A running assistant: the one at `url`, or a temporary stack on free ports."""
    if url:
        yield url.rstrip("/")
        return
    from bot.ops.stack import Stack

    model = _train_in_child(settings)
    if model is None:
        sys.exit("training failed: see the messages above")
    scratch = Path(tempfile.mkdtemp(prefix="bot-"))
    temp = settings.isolated(scratch)
    print("starting the assistant (about 30 s)...", file=sys.stderr)
    with Stack(temp, model, log_dir=scratch / "logs") as stack:
        yield stack.url


def _replicas(settings: Settings, count: int | None) -> Settings:
    try:
        return settings.with_replicas(count) if count else settings
    except ConfigError as exc:
        sys.exit(f"configuration error: {exc}")


RESTART_EVERY_SECONDS = 30.0


def _supervise(stack: Stack, restarted_at: dict[str, float]) -> bool:
    """A Rasa replica or the action server that stops is started again (at most every 30 s
    each): the web app answers meanwhile, from another replica or with phone numbers. If the
    web app stops, `bot serve` ends. False when it must end."""
    stopped = stack.stopped()
    if "web" in stopped:
        return False
    for name in stopped:
        if time.monotonic() - restarted_at.get(name, -RESTART_EVERY_SECONDS) >= RESTART_EVERY_SECONDS:
            print(f"{name} stopped (exit code {stack.processes[name].returncode}); starting it again", file=sys.stderr)
            restarted_at[name] = time.monotonic()
            stack.launch(name)
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.ops.stack import Stack

    settings = _replicas(_settings(), args.rasa_replicas)
    model = _train_in_child(settings)
    if model is None:
        return 1
    # Quiet by default: each process writes to its own file in var/logs/; -v shows them here.
    stack = Stack(settings, model, log_dir=None if verbose() else settings.var_dir / "logs")
    if stack.log_dir is not None:
        print(f"starting; the processes write their logs to {stack.log_dir}/", file=sys.stderr)
    stopping = ready = False

    def stop(*_: object) -> None:
        """Ends the supervising loop, or the start itself if it is still going (Stack.start stops what it began)."""
        nonlocal stopping
        stopping = True
        if not ready:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    def reload_content(*_: object) -> None:
        """SIGHUP to `bot serve` asks the action server to reload content."""
        if "actions" in stack.processes:
            stack.processes["actions"].send_signal(signal.SIGHUP)

    signal.signal(signal.SIGHUP, reload_content)
    started = time.monotonic()
    pid_file = settings.serve_pid_file
    try:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        pid_file.write_text(str(os.getpid()))
        stack.start()
        ready = True
        replicas = f" with {len(stack.replicas)} Rasa replicas" if len(stack.replicas) > 1 else ""
        print(
            f"ready in {time.monotonic() - started:.0f} s{replicas}: http://localhost:{settings.port} (Ctrl-C stops)",
            file=sys.stderr,
        )
        restarted_at: dict[str, float] = {}
        while not stopping and _supervise(stack, restarted_at):
            time.sleep(0.5)
        if not stopping:
            print("the web app stopped unexpectedly; stopping the others", file=sys.stderr)
            return 1
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        print("stopping...", file=sys.stderr)
        stack.stop()
        pid_file.unlink(missing_ok=True)


def cmd_web(args: argparse.Namespace) -> int:
    """The web app alone; `bot serve` starts it as one of its three processes."""
    from aiohttp import web

    from bot.web.app import create_app

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s web %(levelname)s %(message)s")
    web.run_app(
        create_app(settings, settings.rasa_token or ""), host=settings.host, port=settings.port, access_log=None, print=None
    )
    return 0


def cmd_rasa(args: argparse.Namespace) -> int:
    """One Rasa server on its own, for a container or a service manager; `bot serve` starts its own."""
    from bot.nlu import endpoints
    from bot.ops.stack import rasa_command

    settings = _settings()
    if not settings.rasa_token:
        sys.exit(
            "configuration error: BOT_RASA_TOKEN must be set, to the same value as for the web app, "
            "which uses it to check this server's health"
        )
    model = _train(settings)
    endpoints.write(settings)
    env = {**os.environ, **endpoints.rasa_environment(settings), "RASA_TELEMETRY_ENABLED": "false"}
    command = rasa_command(settings, model, args.port or settings.rasa_port, settings.rasa_token, args.interface)
    os.execve(command[0], command, env)


def cmd_train(args: argparse.Namespace) -> int:
    _train(_settings(), force=args.force)
    return 0


def cmd_safety_cv(args: argparse.Namespace) -> int:
    """Cross-validate the safety classifier and print each language's threshold and figures."""
    from bot.assistant.safety_training import THRESHOLD_FILE, cross_validate, training_examples

    settings = _settings()
    examples = training_examples(_load_content(settings))
    result = cross_validate(examples, folds=args.folds)
    for line in result.lines():
        print(line)
    print(f"put the thresholds in {THRESHOLD_FILE.relative_to(settings_module.ROOT)}", file=sys.stderr)
    return 0


def cmd_nlu_cv(args: argparse.Namespace) -> int:
    """Cross-validate the topic classifier and print when to answer, ask "did you mean" or search."""
    from bot.assistant.certainty import CERTAINTY_FILE
    from bot.nlu.certainty_cv import (
        MAX_CLARIFY,
        MAX_OUT_OF_SCOPE_SEARCH,
        MAX_SEARCH,
        MAX_VOTED,
        cross_validate,
        out_of_scope_search,
    )

    settings = _settings()
    loaded, nlu = _load_content(settings), settings_module.ROOT / "data" / "nlu"
    thresholds, chosen, always, shares = cross_validate(loaded, nlu, settings.models_dir, args.folds)
    print(f"confident: {thresholds.confident:.2f}")
    print(f"margin: {thresholds.margin:.2f}")
    print(f"floor: {thresholds.floor:.2f}")
    print(f"similar: {thresholds.similar:.1f}")
    print(f"vote_below: {thresholds.vote_below:.1f}")
    for (share, below), figures in shares.items():
        print(
            f"  similar {share:.1f}, vote below {below:.1f}: top topic right {figures.accuracy:.1%}, "
            f"clarify {figures.clarify:.1%}, confident wrong answers {figures.confident_wrong:.2%}"
        )
    print(
        f"held out, {chosen.examples} topic examples, {args.folds} folds: top topic right {chosen.accuracy:.1%}; "
        f"clarify {chosen.clarify:.1%} (at most {MAX_CLARIFY:.0%}); search {chosen.search:.1%} (at most {MAX_SEARCH:.0%}); "
        f"wrong answers turned into a question {chosen.caught:.1%}; "
        f"confident wrong answers {always.confident_wrong:.1%} -> {chosen.confident_wrong:.1%}; "
        f"the vote asked for on at most {MAX_VOTED:.0%}"
    )
    print(f"out_of_scope_search:  # the score at most {MAX_OUT_OF_SCOPE_SEARCH:.0%} of out-of-scope examples reach")
    for language, score in out_of_scope_search(loaded, nlu).items():
        print(f"  {language}: {score:.1f}")
    print(f"put the thresholds in {CERTAINTY_FILE.relative_to(settings_module.ROOT)}", file=sys.stderr)
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    from bot.assistant.content import coverage

    settings = _settings()
    loaded = _content(settings)
    for problem in loaded.problems:
        print(problem.format(settings.content_dir.parent))
    for language, counts in coverage(loaded, settings.languages).items():
        line = (
            f"{language}: {counts['standard']}/{counts['topics']} topics answered, "
            f"{counts['easy']}/{counts['topics']} in easy read"
        )
        if counts["unreviewed"]:
            line += f", {counts['unreviewed']} machine-assisted translations not yet reviewed by a native speaker"
        print(line, file=sys.stderr)
    errors, warnings = len(loaded.errors), len(loaded.problems) - len(loaded.errors)
    print(f"{len(loaded.pages)} answers, {errors} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors else 0


def cmd_content_reload(args: argparse.Namespace) -> int:
    """Tell a running `bot serve` to load the content now (it also does so within seconds by itself)."""
    settings = _settings()
    loaded = _content(settings)
    if loaded.errors:
        _print_errors(loaded, settings)
        print("not reloaded: fix the errors first; the assistant keeps the last good content", file=sys.stderr)
        return 1
    pid_file = settings.serve_pid_file
    try:
        os.kill(int(pid_file.read_text()), signal.SIGHUP)
    except (OSError, ValueError):
        print(f"no running assistant found ({pid_file}); start it with 'make run'", file=sys.stderr)
        return 1
    print("reload asked for: the assistant swaps the checked content in within a few seconds", file=sys.stderr)
    return 0


def cmd_content_show(args: argparse.Namespace) -> int:
    """Preview an answer exactly as the assistant will give it, without starting anything."""
    settings = _settings()
    loaded = _content(settings)
    page = loaded.page(args.topic, args.language)
    if page is None:
        print(f"no answer for topic '{args.topic}' in language '{args.language}'", file=sys.stderr)
        return 1
    for problem in loaded.problems:
        if problem.path == page.path:
            print(problem.format(settings.content_dir.parent), file=sys.stderr)
    for key, title in (("answer", "Answer"), ("more", "More"), ("easy", "Easy read")):
        if key in page.sections:
            print(f"--- {title} ---\n{page.sections[key]}\n")
    print(f"contacts: {', '.join(page.contacts)}")
    return 0


def cmd_content_list(args: argparse.Namespace) -> int:
    settings = _settings()
    loaded = _content(settings)
    rows = [
        {"topic": topic, "language": language, "reading_level": level}
        for (topic, language), page in sorted(loaded.pages.items())
        for level in page.reading_levels
    ]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(f"{row['topic']}\t{row['language']}\t{row['reading_level']}")
    return 0


def cmd_dates(args: argparse.Namespace) -> int:
    """`bot dates appeal --decision 2026-07-14`: the same dates the chat works out, for staff on the phone.

    Reads only the deadline rules and their words (content/deadlines.yml, content/dates/), so it
    answers in a second, without the NLP stack."""
    from bot.assistant.dates import DateAnswer, dates_message
    from bot.core.date_words import load_all
    from bot.core.deadlines import Rules, work_out
    from bot.core.i18n import gettext_for
    from bot.core.problems import ProblemError

    settings = _settings()
    try:
        rules = Rules(settings.content_dir / "deadlines.yml")
    except ProblemError as exc:
        return _fail(exc.problem.format(settings.content_dir.parent))
    words, problems = load_all(settings.content_dir / "dates", rules)
    for problem in rules.problems + problems:
        print(problem.format(settings.content_dir.parent), file=sys.stderr)
    calculation = rules.calculations.get(args.calculation)
    if calculation is None:
        return _fail(f"unknown calculation '{args.calculation}': use one of {', '.join(rules.calculations)}")
    usage = " ".join(f"[--{i.id} YYYY-MM-DD]" if i.optional else f"--{i.id} YYYY-MM-DD" for i in calculation.inputs)
    given: dict[str, datetime.date] = {}
    names = iter(args.dates)
    for name in names:
        key = name.removeprefix("--")
        value = next(names, "")
        if key not in {i.id for i in calculation.inputs} or not name.startswith("--"):
            return _fail(f"bot dates {calculation.id} takes {usage}")
        try:
            given[key] = datetime.date.fromisoformat(value)
        except ValueError:
            return _fail(f"--{key} needs a date written YYYY-MM-DD, like 2026-07-14 (got '{value}')")
    if calculation.missing(given):
        return _fail(f"bot dates {calculation.id} takes {usage}")
    language = args.language or settings.languages[0]
    language_words = words.get_words(language)
    if language not in settings.languages or language_words is None:
        return _fail(f"--language must be one of: {', '.join(settings.languages)}")
    today = datetime.date.fromisoformat(args.today) if args.today else datetime.date.today()
    answer = DateAnswer(calculation, given, [], work_out(calculation, given))
    reply = dates_message(answer, language_words, calculation.topics[0], [], language, args.level, today, gettext_for(language))
    if args.format == "json":
        print(json.dumps(reply["dates"], ensure_ascii=False, indent=1))
    else:
        print(reply["text"].replace("**", ""))
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.ops.evaluate import post_chat

    settings = _settings()
    payload = {"session_id": "cli-ask", "text": args.text}
    if args.language:
        payload["language"] = args.language
    if args.easy:
        payload["reading_level"] = "easy"
    with _running(settings, args.url) as url:
        reply = post_chat(url, payload)
    if args.json:
        print(json.dumps(reply, ensure_ascii=False, indent=1))
        return 0
    for message in reply["messages"]:
        label = message["kind"] + (f" ({message['topic']})" if message.get("topic") else "")
        print(f"[{label}]\n{message['text']}")
        if message.get("contacts"):
            print(f"contacts: {', '.join(message['contacts'])}")
        if message.get("buttons"):
            print("buttons: " + " | ".join(b["title"] for b in message["buttons"]))
        print()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.ops.evaluate import CaseError, evaluate, load_cases

    settings = _settings()
    try:
        cases = [case for path in args.files for case in load_cases(Path(path))]
    except (CaseError, OSError) as exc:
        sys.exit(str(exc))
    areas = {t.id: t.area for t in _content(settings).topics.values()}
    with _running(settings, args.url) as url:
        report = evaluate(url, cases, areas)
    for line in report.lines():
        print(line)
    if args.min_accuracy is not None:
        return 0 if report.accuracy >= args.min_accuracy else 1
    return 0 if report.failed == 0 else 1


def _duration(text: str) -> datetime.timedelta:
    units = {"d": "days", "h": "hours"}
    if len(text) < 2 or text[-1] not in units or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not a period like 90d or 12h")
    return datetime.timedelta(**{units[text[-1]]: int(text[:-1])})


def cmd_data_purge(args: argparse.Namespace) -> int:
    """Delete personal data past its retention period: call-back requests, feedback and conversations."""
    from bot.storage.store import Store, purge_conversations

    settings = _settings()
    store = Store(settings.database_url)
    store.migrate()
    purged = store.purge(args.older_than)
    events = purge_conversations(settings.tracker_store_url, args.older_than)
    print(
        f"deleted {purged.callbacks} call-back requests, {purged.feedback} feedback responses, "
        f"{purged.questions} unanswered questions and {events} conversation events older than {args.older_than.days} days"
    )
    return 0


def _directory(settings: Settings) -> tuple[Directory, Areas]:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.core.areas import Areas
    from bot.storage.directory import Directory
    from bot.storage.store import Store

    store = Store(settings.database_url)
    try:
        store.migrate()
    except SQLAlchemyError as exc:
        sys.exit(f"error: the app database (APP_DATABASE_URL) is not answering: {exc.__class__.__name__}")
    return Directory(store), Areas(settings.content_dir / "areas.yml")


def cmd_directory_sync(args: argparse.Namespace) -> int:
    """Read an Open Referral UK feed into the directory; exit 1 if it cannot be read (nothing changes)."""
    from bot.ops.directory_feed import EMBEDDED, FeedError, sync

    settings = _settings()
    feed = args.file or args.url or settings.directory_url
    if feed is None:
        print(
            "error: no directory feed is configured. Set BOT_DIRECTORY_URL to the council's Open Referral UK "
            "API (for example BOT_DIRECTORY_URL=https://directory.example.gov.uk/api), or pass --url URL. "
            f"Until then the assistant uses the embedded directory: bot directory sync --file {EMBEDDED.relative_to(ROOT)}",
            file=sys.stderr,
        )
        return 2
    if args.since and not args.url and not settings.directory_url:
        sys.exit("error: --since needs a feed URL (a file is always read whole)")
    directory, areas = _directory(settings)
    try:
        source = str(Path(feed).resolve()) if args.file else feed
        report = sync(directory, areas, source, since=args.since, per_page=args.page_size, backoff=args.retry_wait)
    except FeedError as exc:
        print(f"error: the directory was not changed: {exc}", file=sys.stderr)
        return 1
    print(f"{report.feed}: stored {report.stored} services, removed {report.removed}, skipped {len(report.skipped)}")
    for item in report.skipped:
        print(f"  skipped {item.id}: {item.reason}")
    return 0


def cmd_directory_status(args: argparse.Namespace) -> int:
    """The feed, the last syncs, what the directory holds, and the records skipped and why."""
    import json as json_module

    settings = _settings()
    directory, _areas = _directory(settings)
    print(f"feed: {settings.directory_url or 'none configured (BOT_DIRECTORY_URL); the embedded directory is used'}")
    reach = directory.counts_by_reach()
    print(f"services: {directory.count()} ({', '.join(f'{n} {k}' for k, n in sorted(reach.items())) or 'none'})")
    syncs = directory.last_syncs(args.last)
    if not syncs:
        print("no sync yet: run bot directory sync")
    for row in syncs:
        kind = "incremental" if row.incremental else "full"
        when = f"{row.started_at:%Y-%m-%d %H:%M} UTC"
        skipped = json_module.loads(row.skipped or "[]")
        outcome = row.error if row.status == "failed" else f"stored {row.stored}, removed {row.removed}, skipped {len(skipped)}"
        print(f"{when}  {row.status:<7} {kind:<11} {row.feed}: {outcome}")
        for item in skipped:
            print(f"    skipped {item['id']}: {item['reason']}")
    return 0


def _staff(settings: Settings) -> Staff:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.staff import Staff
    from bot.storage.store import Store

    store = Store(settings.database_url)
    try:
        store.migrate()
    except SQLAlchemyError as exc:
        sys.exit(f"error: the app database (APP_DATABASE_URL) is not answering: {exc.__class__.__name__}")
    return Staff(store)


def cmd_staff_add(args: argparse.Namespace) -> int:
    """A staff account: the password from standard input, or a one-time set-up link."""
    from bot.storage.staff import StaffError

    password = None
    if not args.setup_link:
        if sys.stdin.isatty():
            import getpass

            password = getpass.getpass("password (at least 12 characters): ")
        else:
            password = sys.stdin.readline().rstrip("\n")
    try:
        token = _staff(_settings()).add_user(args.email, args.role, password)
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if token is not None:
        print(f"account created; send this one-time link to {args.email} (it works once, for 24 hours):")
        print(f"{args.base_url.rstrip('/')}/staff/setup?token={token}")
    else:
        print(f"account created for {args.email} ({args.role})")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    for account in _staff(_settings()).users():
        state = "disabled" if account.disabled else "active" if account.set_up else "not set up"
        last = f"last signed in {account.last_login_at:%Y-%m-%d %H:%M} UTC" if account.last_login_at else "never signed in"
        print(f"{account.email}\t{account.role}\t{state}\t{last}")
    return 0


def cmd_staff_disable(args: argparse.Namespace) -> int:
    from bot.storage.staff import StaffError

    try:
        _staff(_settings()).disable(args.email)
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.email} can no longer sign in")
    return 0


def cmd_staff_summary(args: argparse.Namespace) -> int:
    """The daily email to the team: requests waiting longer than BOT_CALLBACK_OVERDUE_DAYS."""
    from bot.storage.mailer import send_summary
    from bot.storage.staff import overdue

    settings = _settings()
    late = overdue(_staff(settings), settings.callback_overdue_days)
    if args.dry_run:
        for reference, days in late:
            print(f"{reference}\t{days} working days")
        return 0
    send_summary(late, settings)
    limit = settings.callback_overdue_days
    print(f"summary sent to {settings.staff_email}: {len(late)} requests waiting more than {limit} working days")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.ops.bench import run

    settings = _settings()
    try:
        tracker = env.database("--tracker-store-url", args.tracker_store_url) if args.tracker_store_url else None
        postgres = env.database("--postgres", args.postgres) if args.postgres else None
    except ConfigError as exc:
        sys.exit(f"configuration error: {exc}")
    if postgres and not postgres.startswith("postgresql"):
        sys.exit("configuration error: --postgres must be a postgresql:// URL")
    return run(settings, args.seconds, args.think, args.sessions, tracker, postgres)


def _sessions(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(n) for n in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of numbers like 20,50") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("each number of sessions must be at least 1")
    return counts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bot", description="Kent SEND assistant")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="show every process's output and third-party warnings (BOT_LOG_LEVEL=debug)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="train if needed, then run Rasa, the actions and the web app")
    serve.add_argument(
        "--rasa-replicas",
        type=int,
        choices=range(1, 17),
        metavar="N",
        help="run N Rasa servers on BOT_RASA_PORT, BOT_RASA_PORT+1, ... (needs LOCK_STORE_URL when N > 1)",
    )
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("web", help=argparse.SUPPRESS).set_defaults(func=cmd_web)
    rasa = sub.add_parser("rasa", help="run one Rasa server on its own (containers); needs BOT_RASA_TOKEN")
    rasa.add_argument("--port", type=int, help="default: BOT_RASA_PORT")
    rasa.add_argument("--interface", default="127.0.0.1", help="address to listen on (0.0.0.0 in a container)")
    rasa.set_defaults(func=cmd_rasa)
    train = sub.add_parser("train", help="train a model when the content or config has changed")
    train.add_argument("--force", action="store_true", help="train even if a matching model exists")
    train.set_defaults(func=cmd_train)

    content = sub.add_parser("content", help="check and list staff content").add_subparsers(dest="content_command", required=True)
    content.add_parser("check", help="print file:line: message for every problem").set_defaults(func=cmd_content_check)
    content.add_parser("reload", help="make the running assistant load content now").set_defaults(func=cmd_content_reload)
    show = content.add_parser("show", help="preview an answer as the assistant will give it")
    show.add_argument("topic")
    show.add_argument("--language", default="en")
    show.set_defaults(func=cmd_content_show)
    listing = content.add_parser("list", help="list topics, languages and reading levels")
    listing.add_argument("--format", choices=["text", "json"], default="text")
    listing.set_defaults(func=cmd_content_list)

    ask = sub.add_parser("ask", help="ask the assistant one question")
    ask.add_argument("text")
    ask.add_argument("--language")
    ask.add_argument("--easy", action="store_true", help="easy read")
    ask.add_argument("--json", action="store_true", help="print the API response")
    ask.add_argument("--url", help="a running assistant, such as http://localhost:8000 (default: start one)")
    ask.set_defaults(func=cmd_ask)

    dates = sub.add_parser(
        "dates",
        help="work out deadlines from a family's dates, e.g. bot dates appeal --decision 2026-07-14",
        description="Calculations and the dates each takes are in content/deadlines.yml: "
        "appeal --decision [--mediation], assessment --request, draft-plan --draft, annual-review --plan, ...",
    )
    dates.add_argument("calculation", help="which calculation, e.g. appeal, assessment, draft-plan")
    dates.add_argument("--language", help="the language to say the dates in (default: the first configured)")
    dates.add_argument("--level", choices=("standard", "easy"), default="standard", help="reading level")
    dates.add_argument("--today", help="work out passed and next dates as of this day (YYYY-MM-DD)")
    dates.add_argument("--format", choices=("text", "json"), default="text")
    dates.set_defaults(func=cmd_dates)  # the family's dates (--decision 2026-07-14) are read by main()

    evaluation = sub.add_parser("eval", help="run evaluation cases and report accuracy")
    evaluation.add_argument("files", nargs="+", metavar="FILE")
    evaluation.add_argument("--url", help="a running assistant (default: start one)")
    evaluation.add_argument("--min-accuracy", type=float, help="exit 0 when accuracy reaches this (0-1), even with failures")
    evaluation.set_defaults(func=cmd_eval)

    safety = sub.add_parser("safety", help="the safety classifier").add_subparsers(dest="safety_command", required=True)
    cv = safety.add_parser("cv", help="cross-validate it: per-language recall, precision and the threshold to use")
    cv.add_argument("--folds", type=int, default=5)
    cv.set_defaults(func=cmd_safety_cv)

    nlu = sub.add_parser("nlu", help="the topic classifier").add_subparsers(dest="nlu_command", required=True)
    nlu_cv = nlu.add_parser("cv", help='cross-validate it: when to answer, ask "did you mean" or search')
    nlu_cv.add_argument("--folds", type=int, default=5)
    nlu_cv.set_defaults(func=cmd_nlu_cv)

    data = sub.add_parser("data", help="personal data").add_subparsers(dest="data_command", required=True)
    purge = data.add_parser("purge", help="delete personal data past its retention period")
    purge.add_argument("--older-than", type=_duration, default=_duration("90d"), help="for example 90d (the default)")
    purge.set_defaults(func=cmd_data_purge)

    directory = sub.add_parser("directory", help="the Local Offer's services, from an Open Referral UK feed").add_subparsers(
        dest="directory_command", required=True
    )
    directory_sync = directory.add_parser("sync", help="read the feed (BOT_DIRECTORY_URL, --url or --file) into the directory")
    source = directory_sync.add_mutually_exclusive_group()
    source.add_argument("--url", help="the feed's base URL, before /services")
    source.add_argument("--file", help="a feed saved as one page of full records (JSON)")
    directory_sync.add_argument("--since", help="only services changed since this ISO date-time (modified_after)")
    directory_sync.add_argument("--page-size", type=int, default=50, help="services asked for in each page (50)")
    directory_sync.add_argument(
        "--retry-wait", type=float, default=1.0, help="seconds before the first retry of a failed request; doubled each time (1)"
    )
    directory_sync.set_defaults(func=cmd_directory_sync)
    status = directory.add_parser("status", help="the feed, the last syncs, counts, and the records skipped and why")
    status.add_argument("--last", type=int, default=5, help="how many syncs to show (5)")
    status.set_defaults(func=cmd_directory_status)

    staff = sub.add_parser("staff", help="staff console accounts, and the daily call-back summary").add_subparsers(
        dest="staff_command", required=True
    )
    add_user = staff.add_parser("add-user", help="add an account; the password is read from standard input")
    add_user.add_argument("email")
    add_user.add_argument("--role", required=True, choices=["admin", "agent", "editor"])
    add_user.add_argument("--setup-link", action="store_true", help="print a one-time set-up link instead of reading a password")
    add_user.add_argument("--base-url", default="http://localhost:8000", help="the console's address, for the link")
    add_user.set_defaults(func=cmd_staff_add)
    staff.add_parser("list", help="every account, its role and state").set_defaults(func=cmd_staff_list)
    disable = staff.add_parser("disable", help="stop an account signing in")
    disable.add_argument("email")
    disable.set_defaults(func=cmd_staff_disable)
    summary = staff.add_parser("summary", help="email the team the call-backs waiting too long (run daily)")
    summary.add_argument("--dry-run", action="store_true", help="print them instead")
    summary.set_defaults(func=cmd_staff_summary)

    bench = sub.add_parser("bench", help="load-test the chat API with one Rasa replica and two; report latency and memory")
    bench.add_argument("--sessions", type=_sessions, default=(20, 50), help="concurrent conversations, such as 20,50")
    bench.add_argument("--seconds", type=float, default=30.0, help="how long each load runs")
    bench.add_argument(
        "--think", type=float, default=2.0, help="seconds a person takes to read a reply and type the next message"
    )
    store = bench.add_mutually_exclusive_group()
    store.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="measure on a scratch database on this PostgreSQL server, created and dropped by the bench",
    )
    store.add_argument("--tracker-store-url", help="measure on this tracker store (default: SQLite in a scratch folder)")
    bench.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    cli = parser()
    args, extra = cli.parse_known_args(argv)
    if args.command == "dates":  # each calculation takes its own dates, named in content/deadlines.yml
        args.dates = extra
    elif extra:
        cli.error(f"unrecognized arguments: {' '.join(extra)}")
    if argv is None and args.command in WITHOUT_NEURAL_NETWORKS:  # this process is the command: load only what it needs
        lean.keep_out()
    if args.verbose:
        os.environ[LOG_LEVEL_VARIABLE] = "debug"
    _quiet_unless_verbose()
    try:
        return args.func(args)
    except BrokenPipeError:  # `bot content list | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
