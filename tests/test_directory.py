"""The stored directory and its search, on SQLite (FTS5) and PostgreSQL (its English text search):
place, age and need filters, nearer services first, and one transaction per sync."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.areas import Areas
from bot.core.services import ServiceQuery, card
from bot.storage.directory import Changes, Directory, columns, fts_query, pg_query
from tests import feed_server

AREAS = Areas(Path("content/areas.yml"))


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return feed_server.records()


@pytest.fixture
def directory(store) -> Directory:
    return feed_server.load(store)


def ids(directory: Directory, **query) -> list[str]:
    return [s.id for s in directory.search(ServiceQuery(limit=20, **query)).services]


def fid(key: str) -> str:
    return feed_server.fixture_id(key)


def test_a_need_finds_the_services_for_it(directory):
    assert ids(directory, terms=("autism", "autistic")) == [fid("ashford-autism")]
    assert set(ids(directory, terms=("deaf", "hearing"))) == {fid("kent-deaf")}
    assert set(ids(directory, terms=("wheelchair",))) == {fid("maidstone-wheelchair")}


def test_words_are_stemmed_so_clubs_finds_club(directory):
    assert fid("thanet-holiday") in ids(directory, text="holiday clubs")


def test_a_place_keeps_its_own_and_county_wide_services_and_puts_its_own_first(directory):
    found = ids(directory, district="Ashford")
    assert found[0] == fid("ashford-autism")
    assert fid("kent-deaf") in found  # Kent-wide
    assert fid("thanet-holiday") not in found and fid("dover-work") not in found


def test_age_filters_out_services_that_do_not_take_the_child(directory):
    assert fid("dover-work") in ids(directory, age=17)
    assert fid("thanet-holiday") not in ids(directory, age=17)
    assert fid("canterbury-adhd") in ids(directory, age=17)  # no ages given: everyone


def test_nearer_services_come_first_by_postcode_district_centroids(directory):
    near_margate = ids(directory, terms=("parent support", "parent-support"), postcode="CT9")
    assert near_margate.index(fid("canterbury-adhd")) < near_margate.index(fid("ashford-autism"))
    near_ashford = ids(directory, terms=("parent support", "parent-support"), postcode="TN23")
    assert near_ashford.index(fid("ashford-autism")) < near_ashford.index(fid("canterbury-adhd"))


def test_all_filters_together_and_paging(directory):
    assert ids(directory, terms=("employment", "job"), district="Dover", age=17) == [fid("dover-work")]
    first = directory.search(ServiceQuery(limit=3))
    second = directory.search(ServiceQuery(limit=3, offset=3))
    assert first.total == second.total == len(feed_server.SPECS)
    assert not {s.id for s in first.services} & {s.id for s in second.services}


def test_what_a_family_types_is_never_query_syntax(directory):
    for text in ['"', "autism OR", "NEAR(a b)", "*", "a AND (", "' OR 1=1 --", "ADHD)"]:
        directory.search(ServiceQuery(text=text))  # no exception
    assert fts_query(['say "hi"'], "a-b") == '("say  hi ") AND "a" AND "b"'
    assert pg_query(["autism"], "group") == '"autism" group'


def test_an_old_or_unchecked_record_is_marked_out_of_date(directory):
    today = dt.date(2026, 12, 7)
    old = directory.get(fid("sevenoaks-old"))
    recent = directory.get(fid("ashford-autism"))
    assert old is not None and recent is not None
    assert card(old, today)["out_of_date"] and not card(recent, today)["out_of_date"]
    assert card(recent, today)["last_assured"] == "2026-10-01"


def test_a_sync_replaces_the_directory_in_one_go_and_removes_what_left_the_feed(directory, records):
    kept = records[:2]
    stored, removed = directory.apply(directory.start_sync("fixture", False), Changes(kept, {r["id"] for r in kept}, []), AREAS)
    assert (stored, removed) == (2, len(records) - 2)
    assert set(ids(directory)) == {r["id"] for r in kept}
    assert ids(directory, terms=("wheelchair",)) == []  # the search index follows


def test_columns_read_districts_from_towns_and_postcodes_and_refuse_unsafe_links(records):
    record = dict(records[0], service_areas=[{"id": "a", "name": "Margate"}], url="javascript:alert(1)")
    row = columns(record, AREAS)
    assert "|Thanet|" in row["districts"] and "|Ashford|" in row["districts"]  # Margate, and TN23 at its venue
    assert row["url"] == "http://example.com" and row["reach"] == "local"  # the organisation's site instead
    unsafe = dict(record, organization=dict(record["organization"], website="data:text/html,hi"))
    assert columns(unsafe, AREAS)["url"] is None
    national = columns(dict(records[0], service_areas=[{"id": "b", "name": "England"}]), AREAS)
    assert national["reach"] == "national"
