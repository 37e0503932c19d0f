"""A family asks the chat where their call-back is: the status and what happens next, from the
real app database, and never a detail of the request."""

from __future__ import annotations

from bot.assistant.dialogue import Responder
from bot.assistant.turn import Turn
from bot.core import callback_status
from bot.storage.staff import Staff
from bot.storage.store import NewCallback, Store


def test_the_chat_says_where_a_call_back_stands(loaded, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'app.db'}")
    store.migrate()
    row = store.add_callback(NewCallback("s-1", "Ann Smith", "07911 123456", None, "mornings", None, "Thanet", "Tom's school"))
    responder = Responder(lambda: loaded, callbacks=store)

    def ask(text: str, language: str = "en") -> dict:
        return responder.respond(Turn(text=text, intent="callback-status", language=language)).messages[0]

    first = ask(f"what's happening with my call-back {row.reference.lower()}?")
    assert first["kind"] == "answer" and row.reference in first["text"] and "usually within 2 working days" in first["text"]
    for secret in ("Ann", "07911", "mornings", "Tom", "Thanet"):
        assert secret not in first["text"]
    Staff(store).close(row.reference, "agent@kent.gov.uk", "done", "spoke to mum")
    assert "has been in touch" in ask(f"any news on {row.reference}")["text"]
    assert ask(f"co z moim {row.reference}?", "pl")["text"] != ask(f"any news on {row.reference}")["text"]
    missing = ask("where is my call-back CB-ZZZZZZZZ")
    assert missing["kind"] == "chat" and "could not find" in missing["text"]


def test_a_reference_is_read_however_it_is_typed():
    assert callback_status.normalise("ref cb-abcd2345 please") == "CB-ABCD2345"
    assert callback_status.normalise("CBABCD2345") == "CB-ABCD2345"
    assert callback_status.normalise("CB-ABCD0345") is None  # 0 is never in a reference
    assert callback_status.normalise("no reference here") is None
