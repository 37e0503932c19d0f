"""How easy an answer is to read: words per sentence for every language, Flesch for English.

Sentences come from spaCy's rule-based sentencizer for the answer's language, run on
each paragraph, list item and heading separately, so a bulleted list counts as short
sentences rather than one long one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import spacy
import textstat
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark")
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]s?\b")
# Addresses and numbers are read as a unit, not syllable by syllable.
_ADDRESS = re.compile(r"\S+://\S+|\S+@\S+|\b[\d ]{3,}\d\b")


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    average_words: float
    longest_words: int
    longest: str
    flesch: float | None  # Flesch reading ease, English only


@cache
def _nlp(language: str) -> spacy.Language:
    try:
        nlp = spacy.blank(language)
    except ImportError:
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


def release_pipelines() -> None:
    """Let go of the sentence splitters and the texts kept for them until the next check.

    A server checks its content at start and again only when a file changes, hours apart.
    Meanwhile the six languages' splitters and everything they have read hold about 7 MB of
    each server's memory; making them again takes 0.6 s, in the thread that checks."""
    _nlp.cache_clear()
    blocks.cache_clear()


def _is_word(token: str) -> bool:
    """A word a reader counts: not punctuation, and not a clitic spaCy splits off ("'s", "n't")."""
    return any(ch.isalnum() for ch in token) and not token.startswith(("'", "’")) and token.lower() not in ("n't", "n’t")


@lru_cache(maxsize=1024)
def blocks(markdown_text: str) -> tuple[str, ...]:
    """The plain text of each paragraph, list item and heading, without markup or link targets.

    Kept for the last texts seen: a section is measured and then searched for acronyms."""
    out = []
    for token in _markdown.parse(markdown_text):
        if token.type == "inline":
            text = "".join(
                " " if c.type in ("softbreak", "hardbreak") else c.content
                for c in token.children or []
                if c.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            if text.strip():
                out.append(text.strip())
    return tuple(out)


def measure(markdown_text: str, language: str) -> Readability:
    lengths: list[tuple[int, str]] = []
    for doc in _nlp(language).pipe(blocks(markdown_text)):
        for sentence in doc.sents:
            words = [t for t in sentence if _is_word(t.text)]
            if words:
                lengths.append((len(words), sentence.text))
    if not lengths:
        return Readability(0, 0, 0.0, 0, "", None)
    longest_words, longest = max(lengths)
    plain = _ADDRESS.sub("", " ".join(blocks(markdown_text)))
    flesch = textstat.flesch_reading_ease(plain) if language == "en" else None
    total = sum(n for n, _ in lengths)
    return Readability(len(lengths), total, total / len(lengths), longest_words, longest, flesch)


def acronyms(markdown_text: str) -> set[str]:
    """Words written in capitals (EHCP, SENCO, PfA): jargon unless the glossary explains them."""
    return {m.group(0) for block in blocks(markdown_text) for m in _ACRONYM.finditer(block)}
