"""Interface strings: every catalog translates every string and keeps its placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES, direction, gettext_for

CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"\{\w+\}")


def test_there_is_a_catalog_for_each_planned_language():
    assert {p.parts[-3] for p in CATALOGS} == {"pl", "ro", "uk", "ur", "ne"}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_each_catalog_is_complete_and_keeps_placeholders(path):
    with path.open("rb") as po:
        catalog = read_po(po)
    template = {m.id for m in read_po((LOCALES / "messages.pot").open("rb")) if m.id}
    assert {m.id for m in catalog if m.id} == template, "run `make messages` after changing strings"
    for message in catalog:
        if message.id:
            assert message.string, f"{path}: untranslated: {message.id!r}"
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


def test_gettext_uses_the_catalog_and_falls_back_to_english():
    assert gettext_for("pl")("Talk to a person") != "Talk to a person"
    assert gettext_for("en")("Talk to a person") == "Talk to a person"
    assert gettext_for("xx")("Talk to a person") == "Talk to a person"


def test_urdu_is_right_to_left():
    assert direction("ur") == "rtl" and direction("pl") == "ltr"
