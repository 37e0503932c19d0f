"""The web app follows the files staff own: contacts, topic ids and areas (issue 15)."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.core.problems import ProblemError
from bot.web.app import create_app
from bot.web.staff_files import STAFF, StaffFiles

IASK = '"03000 41 3000"'
NEW_IASK = '"03000 41 9999"'


@pytest.fixture()
def content_dir(config, tmp_path):
    shutil.copytree(config.content_dir, tmp_path / "content", ignore=shutil.ignore_patterns("en", "pl", "ro", "uk", "ur", "ne"))
    return tmp_path / "content"


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_changed_contact_is_read_again(content_dir):
    files = StaffFiles(content_dir)
    assert files.current.contacts["iask"].phone == "03000 41 3000"
    assert files.refresh() is False  # nothing changed: nothing read
    edit(content_dir / "contacts.yml", IASK, NEW_IASK)
    assert files.refresh() is True
    assert files.current.contacts["iask"].phone == "03000 41 9999"


def test_a_broken_file_keeps_the_last_good_version(content_dir, caplog):
    files = StaffFiles(content_dir)
    (content_dir / "topics.yml").write_text("- id: [unclosed\n")
    assert files.refresh() is False
    assert "mediation" in files.current.topics
    assert "staff files not reloaded" in caplog.text and "topics.yml" in caplog.text


def test_a_broken_file_at_start_stops_with_its_name(content_dir):
    (content_dir / "areas.yml").write_text("districts: [Thanet]\n")
    with pytest.raises(ProblemError, match="areas.yml"):
        StaffFiles(content_dir)


def test_the_running_web_app_follows_contacts_topics_and_areas(config, tmp_path, content_dir):
    """Before: read once at start. Now: the phone numbers it gives while the assistant is down,
    and the topics and districts it accepts, follow the files within seconds."""
    settings = replace(config.isolated(tmp_path / "var"), content_dir=content_dir)

    async def scenario() -> None:
        app = create_app(settings, "token")  # no Rasa runs: the web app answers with phone numbers itself
        async with TestClient(TestServer(app)) as client:

            async def chat_text() -> str:
                response = await client.post("/api/chat", json={"session_id": "staff-files", "text": "hello"})
                return (await response.json())["error"]

            async def known() -> tuple[list[str], list[str]]:
                spec = await (await client.get("/api/openapi.json")).json()
                callback = spec["components"]["schemas"]["CallbackRequest"]["properties"]
                return callback["topic"]["enum"], callback["district"]["enum"]

            assert "03000 41 3000" in await chat_text()
            edit(content_dir / "contacts.yml", IASK, NEW_IASK)
            edit(
                content_dir / "topics.yml",
                "- id: local-offer\n",
                "- id: new-topic\n  area: about\n  title: New\n  scope: New\n  contacts: [iask]\n\n- id: local-offer\n",
            )
            edit(content_dir / "areas.yml", "districts:\n", "districts:\n  Newtown: send-area-east\n")
            deadline = time.monotonic() + 15
            while "03000 41 9999" not in await chat_text():
                assert time.monotonic() < deadline, "the web app never read the changed contacts"
                await asyncio.sleep(0.2)
            assert app[STAFF].current.contacts["iask"].phone == "03000 41 9999"
            topics, districts = await known()
            assert "new-topic" in topics and "Newtown" in districts

    asyncio.run(scenario())
