from __future__ import annotations

import pytest

from bot.core.areas import Areas


@pytest.fixture(scope="module")
def areas(config):
    return Areas(config.content_dir / "areas.yml")


@pytest.mark.parametrize(
    "text,district,team",
    [
        ("someone in Thanet", "Thanet", "send-area-east"),
        ("we're in margate", "Thanet", "send-area-east"),
        ("Royal Tunbridge Wells", "Tunbridge Wells", "send-area-west"),
        ("near tonbridge", "Tonbridge and Malling", "send-area-west"),
        ("we moved to Deal last year", "Dover", "send-area-south"),
        ("Gravesend", "Gravesham", "send-area-north"),
    ],
)
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


def test_every_district_and_listed_town_routes_to_its_area_team(areas, config):
    import yaml

    data = yaml.safe_load((config.content_dir / "areas.yml").read_text())
    for district, team in data["districts"].items():
        assert (areas.find(f"we live in {district}").district, areas.find(district).team) == (district, team)
    for town, district in data["towns"].items():
        place = areas.find(f"I'm in {town} with my son")
        assert (place.district, place.team) == (district, data["districts"][district]), town
    for town in data["medway"]:
        assert areas.find(f"we live in {town}").medway, town


@pytest.mark.parametrize(
    "text,district",
    [
        ("my postcode is CT9 1AB", "Thanet"),
        ("ME10", "Swale"),
        ("tn23 4xx", "Ashford"),
        ("DA11 0AA", "Gravesham"),
        ("we're in TN30", "Ashford"),
    ],
)
def test_postcode_districts(areas, text, district):
    assert areas.find(text).district == district


def test_medway_postcodes_and_unknown_postcodes(areas):
    assert areas.find("ME4 4TR").medway
    assert areas.find("SW1A 1AA") is None


@pytest.mark.parametrize(
    "text,district",
    [
        ("Ми живемо в Маргейті", "Thanet"),
        ("म केन्टरबरीमा बस्छु", "Canterbury"),  # Nepali joins "in" to the name
        ("ہم مارگیٹ میں رہتے ہیں", "Thanet"),
        ("ہم مارگيٹ ميں رہتے ہیں", "Thanet"),  # typed with the Arabic forms of the letters
    ],
)
def test_place_names_in_other_scripts_find_the_local_team(areas, text, district):
    assert areas.find(text).district == district


def test_medway_in_nepali_is_medway(areas):
    assert areas.find("हामी मेडवेमा बस्छौं").medway
