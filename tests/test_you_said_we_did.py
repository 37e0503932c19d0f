"""'You said, we did' (content/you-said-we-did.md): on its public page, newest first, and at the
end of the chat's feedback answer; an editor's change shows without a restart."""

from __future__ import annotations

import shutil

import requests

from bot.assistant.dialogue import Responder
from bot.assistant.turn import Turn
from bot.core import you_said_we_did
from bot.core.settings import ROOT
from tests.conftest import web_app

ENTRY = """
## You said the forms were too long

When: 2027-01-15

We cut the request form to one page.
"""


def test_the_file_is_read_newest_first():
    entries = you_said_we_did.load(ROOT / "content")
    assert entries and all(e.said and e.did and e.when for e in entries)
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)


def test_the_page_shows_an_editors_new_entry_at_once(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    with web_app(tmp_path / "var", BOT_CONTENT_DIR=str(content)) as url:
        page = requests.get(f"{url}/you-said-we-did", timeout=10)
        assert page.status_code == 200 and "It is often hard to find someone who can help".lower() in page.text.lower()
        with (content / you_said_we_did.FILE).open("a") as handle:
            handle.write(ENTRY)
        again = requests.get(f"{url}/you-said-we-did", timeout=10).text
    assert again.index("You said the forms were too long") < again.index("hard to find someone")
    assert "<p>We cut the request form to one page.</p>" in again and "When:" not in again


def test_the_feedback_answer_ends_with_what_changed(loaded):
    reply = Responder(lambda: loaded).respond(Turn(text="you said we did", intent=you_said_we_did.TOPIC))
    assert "What changed because of what families said" in reply.messages[0]["text"]
    assert "hard to find someone who can help" in reply.messages[0]["text"]
