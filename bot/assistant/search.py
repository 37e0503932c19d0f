"""Search the answers themselves, for a question no topic fits.

SQLite's FTS5 full-text index (in the standard library, with BM25 ranking) over every
page's title and sections and every glossary entry, in each language. It is built with the
content, so a content reload rebuilds it. Each language's common words (spaCy's stop word
lists, no model needed) are left out of the query, so "my son is" matches nothing by itself.
"""

from __future__ import annotations

import importlib
import sqlite3
import threading
from collections.abc import Iterable
from functools import cache

import regex

from bot.core.text import fold

MAX_RESULTS = 3
# A word is letters, digits and combining marks: Devanagari vowel signs are marks, and a
# Nepali word cut at each of them would match almost anything.
_WORD = regex.compile(r"[\p{L}\p{N}\p{M}]+")
# FTS5 matches whole words, read the same way; Porter stemming makes "bullied" find
# "bullying" in English, and leaves words of other languages as they are.
_TOKENIZER = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
# BM25 scores are negative; closer to zero is a weaker match. Below this (in absolute value;
# measured on our pages: one common word such as "live" scores 5-6, a real match 8-30)
# a "match" is one common word in a long page, not an answer.
MIN_SCORE = 7.0


@cache
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words for a language (folded, lower case); none for a language it lacks."""
    try:
        module = importlib.import_module(f"spacy.lang.{language}.stop_words")
    except ImportError:
        return frozenset()
    return frozenset(fold(word).lower() for word in module.STOP_WORDS)


@cache
def _stops(language: str) -> frozenset[str]:
    """The language's stop words and English's: families mix English into every language."""
    return stop_words(language) | stop_words("en")


def terms(text: str, language: str) -> list[str]:
    """The words of a message worth searching for, in order, each once."""
    stops = _stops(language)
    words = (fold(w).lower() for w in _WORD.findall(text))
    return list(dict.fromkeys(w for w in words if len(w) > 2 and w not in stops and not w.isdigit()))


class PageSearch:
    """A full-text index of (language, topic, text) rows; `find` returns the best topics."""

    def __init__(
        self, rows: Iterable[tuple[str, str, str, str]], ignore: Iterable[str] = (), min_score: float = MIN_SCORE
    ) -> None:
        """`rows`: (language, topic, title, body). Words in `ignore` (place names: "trains to
        Canterbury" is not a question about Canterbury's pages) are never searched for."""
        self.min_score = min_score
        self._ignore = frozenset(fold(word).lower() for name in ignore for word in _WORD.findall(name))
        self._lock = threading.Lock()
        # Built in the content watcher's thread, read in the action server's.
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            f'CREATE VIRTUAL TABLE pages USING fts5(language UNINDEXED, topic UNINDEXED, title, body, tokenize="{_TOKENIZER}")'
        )
        self._db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)", rows)
        self._db.commit()

    def find(self, text: str, language: str, exclude: Iterable[str] = (), min_score: float | None = None) -> list[str]:
        """Up to MAX_RESULTS topics whose pages best match the message, best first. The glossary
        is searched but never offered: a glossary question has its own handler. `min_score`
        asks for stronger matches than the index's own minimum."""
        floor = max(self.min_score, min_score or 0.0)
        skip = {*exclude, "glossary"}
        best = dict.fromkeys(topic for topic, score in self._matches(text, language) if score >= floor and topic not in skip)
        return list(best)[:MAX_RESULTS]

    def best_score(self, text: str, language: str) -> float:
        """How strongly the message matches its best page (0 for no match): what `find`'s
        `min_score` is compared with."""
        return max((score for topic, score in self._matches(text, language) if topic != "glossary"), default=0.0)

    def _matches(self, text: str, language: str) -> list[tuple[str, float]]:
        """The 20 best (topic, score) rows, best first; scores are BM25's, made positive."""
        words = [w for w in terms(text, language) if w not in self._ignore]
        if not words:
            return []
        query = " OR ".join(f'"{w}"' for w in words)
        # Weights per column: language and topic are not searched; the title counts three times the body.
        sql = (
            "SELECT topic, bm25(pages, 0.0, 0.0, 3.0, 1.0) AS score FROM pages "
            "WHERE pages MATCH ? AND language = ? ORDER BY score LIMIT 20"
        )
        with self._lock:
            found = self._db.execute(sql, (query, language)).fetchall()
        return [(topic, -score) for topic, score in found]
