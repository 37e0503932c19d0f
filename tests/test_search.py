"""Searching the answers when no topic fits (bot/assistant/search.py)."""

from __future__ import annotations

from bot.assistant.search import PageSearch, terms

# BM25 scores grow with the corpus; a corpus of four rows needs no minimum.
ROWS = [
    ("en", "therapies", "Occupational therapy and physiotherapy", "How to be referred for occupational therapy."),
    ("en", "school-transport", "Travel to school", "Free school transport for children with SEND in Canterbury."),
    ("en", "glossary", "OT", "Occupational therapy: help with everyday skills."),
    ("pl", "therapies", "Terapia zajęciowa i fizjoterapia", "Jak dostać skierowanie na terapię zajęciową."),
]


def test_common_words_are_not_searched():
    assert terms("my son is in year 6 and he needs therapy", "en") == ["son", "year", "needs", "therapy"]


def test_pages_are_found_by_their_words_best_first():
    search = PageSearch(ROWS, min_score=0)
    assert search.find("waiting list for occupational therapy", "en") == ["therapies"]


def test_search_stays_in_the_familys_language_and_ignores_accents():
    search = PageSearch(ROWS, min_score=0)
    assert search.find("terapia zajeciowa dla syna", "pl") == ["therapies"]
    assert search.find("terapia zajeciowa dla syna", "en") == []


def test_the_glossary_is_searched_but_never_offered():
    assert "glossary" not in PageSearch(ROWS, min_score=0).find("occupational therapy everyday skills", "en")


def test_place_names_do_not_make_a_match():
    search = PageSearch(ROWS, ignore=["Canterbury"], min_score=0)
    assert search.find("are the buses running in canterbury", "en") == []


def test_the_content_carries_an_index_of_its_own_pages(loaded):
    found = loaded.search.find("disabled facilities grant to adapt our house", "en")
    assert found and found[0] == "equipment-and-adaptations"


def test_nepali_words_are_whole_words():
    rows = [("ne", "equipment-and-adaptations", "ह्वीलचेयर र उपकरण", "ह्वीलचेयर कसरी पाउने"), ("ne", "senco", "सेन्को", "स्कूलको शिक्षक")]
    assert terms("छोरीको ह्वीलचेयर सानो भयो", "ne")[1] == "ह्वीलचेयर"
    assert PageSearch(rows, min_score=0).find("नयाँ ह्वीलचेयर चाहियो", "ne") == ["equipment-and-adaptations"]


def test_a_stronger_match_can_be_asked_for():
    search = PageSearch(ROWS, min_score=0)
    best = search.best_score("occupational therapy for everyday skills", "en")
    assert best > 0 and search.best_score("xyzzy", "en") == 0.0
    assert search.find("occupational therapy for everyday skills", "en", min_score=best)
    assert search.find("occupational therapy for everyday skills", "en", min_score=best + 0.01) == []
