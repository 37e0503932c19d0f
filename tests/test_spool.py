"""Call-back requests kept on disk while the app database is down, then written once."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest

from bot.storage.spool import NotSaved, Spool, catch_up, save
from bot.storage.store import NewCallback, Store

REQUEST = NewCallback("s1", "Ann Smith", "07911 123456", None, "after 3pm", "mediation", "Thanet", "About mediation")


def test_a_request_is_spooled_when_the_database_cannot_be_reached_and_moved_in_once(tmp_path):
    spool = Spool(tmp_path / "spool")
    reference = save(Store(f"sqlite:///{tmp_path / 'app.db'}"), spool, REQUEST)  # not migrated: no table yet
    [path] = spool.waiting()
    assert path.name == f"{reference}.json" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["request"]["name"] == "Ann Smith"

    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    assert spool.drain(store) == 1 and spool.waiting() == []
    row = store.get(reference)
    assert (row.name, row.email_status) == ("Ann Smith", "pending")


def test_storing_a_spooled_request_twice_keeps_one_row(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    when = dt.datetime(2026, 11, 28, 9, 30)
    first = store.add_callback(REQUEST, reference="CB-ABCDEFGH", created_at=when)
    again = store.add_callback(REQUEST, reference="CB-ABCDEFGH", created_at=when)
    assert first.id == again.id and len(store.pending_emails()) == 1
    assert store.get("CB-ABCDEFGH").created_at == when


def test_catch_up_migrates_a_database_that_was_down_at_start(tmp_path, config):
    store, spool = Store(f"sqlite:///{tmp_path / 'app.db'}"), Spool(tmp_path / "spool")
    spool.put("CB-ABCDEFGH", REQUEST, dt.datetime(2026, 11, 28, 9, 30))
    catch_up(store, spool, config)
    assert store.migrated and store.get("CB-ABCDEFGH").email_attempts == 1  # the email was tried


def test_when_neither_database_nor_spool_can_keep_it_the_request_is_refused(tmp_path):
    (tmp_path / "spool").write_text("a file where the spool folder should be")
    with pytest.raises(NotSaved):
        save(Store(f"sqlite:///{tmp_path / 'app.db'}"), Spool(tmp_path / "spool"), REQUEST)


def test_a_corrupt_spool_file_is_set_aside_and_the_others_still_move(tmp_path, caplog):
    spool = Spool(tmp_path / "spool")
    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    spool.put("CB-AAAAAAAA", REQUEST, dt.datetime(2026, 12, 6, 9, 0))
    (tmp_path / "spool" / "CB-BROKEN00.json").write_text("{not json", encoding="utf-8")
    spool.put("CB-CCCCCCCC", REQUEST, dt.datetime(2026, 12, 6, 9, 5))
    store.migrate()
    assert spool.drain(store) == 2 and spool.waiting() == []
    assert (tmp_path / "spool" / "CB-BROKEN00.bad").exists()
    assert store.get("CB-AAAAAAAA") and store.get("CB-CCCCCCCC")
    assert any("CB-BROKEN00.json cannot be read" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def test_a_round_survives_an_error_that_is_not_a_database_error(tmp_path, config, caplog, monkeypatch):
    """The retry loop once died silently on anything but a database error."""
    import bot.storage.spool

    store = Store(f"sqlite:///{tmp_path / 'app.db'}")

    def broken(*_):
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot.storage.spool, "deliver_pending", broken)
    catch_up(store, Spool(tmp_path / "spool"), config)  # does not raise
    assert any(r.levelname == "ERROR" and "trying again next round" in r.getMessage() for r in caplog.records)
