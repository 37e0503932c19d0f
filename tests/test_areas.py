from __future__ import annotations

import pytest

from bot.areas import Areas


@pytest.fixture(scope="module")
def areas(config):
    return Areas(config.content_dir / "areas.yml")


@pytest.mark.parametrize("text,district,team", [
    ("someone in Thanet", "Thanet", "send-area-east"),
    ("we're in margate", "Thanet", "send-area-east"),
    ("Royal Tunbridge Wells", "Tunbridge Wells", "send-area-west"),
    ("near tonbridge", "Tonbridge and Malling", "send-area-west"),
    ("we moved to Deal last year", "Dover", "send-area-south"),
    ("Gravesend", "Gravesham", "send-area-north"),
])
def test_towns_and_districts_find_the_area_team(areas, text, district, team):
    place = areas.find(text)
    assert (place.district, place.team) == (district, team)


def test_everyday_words_that_are_town_names_need_a_capital(areas):
    assert areas.find("is that a good deal") is None
    assert areas.find("i had a sandwich") is None


def test_medway_towns_are_marked(areas):
    assert areas.find("we live in Gillingham").medway


def test_every_district_has_a_team_in_the_contacts(areas, loaded):
    assert len(areas.districts) == 12
    assert set(areas.districts.values()) <= set(loaded.contacts)
