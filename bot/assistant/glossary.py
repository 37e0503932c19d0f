"""The glossary: SEND words and acronyms in plain words, one file per language.

It answers "what does SEMH mean?", and it is the list of jargon that easy read
answers may use: an acronym in easy read that the glossary does not explain is an
error in `bot content check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.matcher import PhraseMatcher

from bot.assistant.readability import measure
from bot.core.problems import Problem, YamlListError, yaml_line_of, yaml_list

FIELDS = {"term", "aliases", "meaning", "easy"}
EASY_MAX_WORDS = 12
# "What does X mean?", "what's X short for", "meaning of X", "define X", and the same
# question in the other languages we answer in (Polish, Romanian, Ukrainian, Urdu, Nepali).
QUESTION = re.compile(
    r"\b(mean|means|meaning|stand for|stands for|short for|definition|define|acronym|abbreviation"
    r"|znaczy|oznacza|znaczenie|skrót|skrot|rozwinięcie|inseamna|înseamnă|semnificatia|semnificația|prescurtarea"
    r"|означає|значить|розшифровується|абревіатура)\b"
    r"|مطلب|معنی|मतलब|अर्थ",
    re.IGNORECASE,
)
# "Does that mean his EHCP just stops?", "czy to znaczy, że...", "înseamnă că...", "means
# tested": a question about what follows from something, not about what a word means.
CONSEQUENCE = re.compile(
    r"\b(does|do|would|will|doesn't|that|this|it) (that |this |it )?mean "
    r"(that|we|he|she|they|i|you|his|her|my|our|their) "
    r"|\bmeans?[- ]tested\b|\bmeans that\b"
    r"|\b(znaczy|oznacza),? że\b|\b(inseamna|înseamnă) (ca|că)\b|\b(означає|значить),? що\s+\w+\s+\w+",
    re.IGNORECASE,
)


def asks_what_a_word_means(text: str) -> bool:
    """A definition question ("what does SEMH mean?"), not one about consequences."""
    return bool(QUESTION.search(text)) and not CONSEQUENCE.search(text)


@dataclass(frozen=True)
class Entry:
    term: str
    aliases: tuple[str, ...]
    meaning: str
    easy: str


class Glossary:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._nlp = spacy.blank("xx")
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._by_key: dict[str, Entry] = {}
        for entry in entries:
            for name in (entry.term, *entry.aliases):
                self._by_key[name.lower()] = entry
                self._matcher.add(name.lower(), [self._nlp.make_doc(name)])

    def find(self, text: str) -> Entry | None:
        """The entry for the longest glossary word in the text, if any."""
        doc = self._nlp.make_doc(text)
        matches = sorted(self._matcher(doc), key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
        return self._by_key[self._nlp.vocab.strings[matches[0][0]]] if matches else None

    def explains(self, word: str) -> bool:
        return self.entry(word) is not None

    def entry(self, word: str) -> Entry | None:
        return self._by_key.get(word.lower()) or self._by_key.get(word.lower().rstrip("s"))

    def explain_inline(self, text: str, words: set[str], template: str = "{word} means {meaning}.") -> str:
        """After the sentence with the first use of each word, say what it means, in easy words.

        "Ask your SENCO for help." becomes "Ask your SENCO for help. SENCO means the teacher
        who helps with extra help in school." A word the text already explains is left alone.
        The template comes from the reader's language ("{word} oznacza {meaning}.").
        """
        for word in sorted(words):
            entry = self.entry(word)
            connector = template.split("{meaning}")[0].replace("{word}", word).strip()
            if (
                entry is None
                or connector in text
                or re.search(rf"\b{re.escape(word)}\b (means|stands for|is a|is an|is the)\b", text)
            ):
                continue
            first = re.search(rf"(?<!\()\b{re.escape(word)}\b", text)
            if first is None:
                continue
            ends = [
                i
                for i in (*(text.find(stop, first.end()) for stop in (". ", "। ", "۔ ")), text.find("\n", first.end()))
                if i != -1
            ]
            end = min(ends) + (1 if ends and text[min(ends)] in ".।۔" else 0) if ends else len(text)
            meaning = re.split(r"[.।۔] ", entry.easy)[0].rstrip(".।۔")
            if meaning.split(" ")[0] in ("A", "An", "The") or meaning[1:2].islower():
                meaning = meaning[0].lower() + meaning[1:]
            text = f"{text[:end]} {template.format(word=word, meaning=meaning)}{text[end:]}"
        return text


def load_glossary(path: Path, language: str) -> tuple[Glossary, list[Problem]]:
    problems: list[Problem] = []
    try:
        items = list(yaml_list(path, "- term:"))
    except YamlListError as exc:
        return Glossary([]), [exc.problem]
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for item, node, line in items:
        if not isinstance(item, dict) or not all(item.get(k) for k in ("term", "meaning", "easy")):
            problems.append(Problem(path, line, "error", "each entry needs 'term', 'meaning' and 'easy'"))
            continue
        for key in sorted(set(item) - FIELDS):
            problems.append(Problem(path, yaml_line_of(node, key), "error", f"unknown field '{key}' in '{item['term']}'"))
        entry = Entry(
            str(item["term"]), tuple(str(a) for a in item.get("aliases") or ()), str(item["meaning"]), str(item["easy"])
        )
        for name in (entry.term, *entry.aliases):
            if name.lower() in seen:
                problems.append(Problem(path, line, "error", f"'{name}' is already in the glossary under '{seen[name.lower()]}'"))
            seen[name.lower()] = entry.term
        longest = measure(entry.easy, language)
        if longest.longest_words > EASY_MAX_WORDS:
            problems.append(
                Problem(
                    path,
                    yaml_line_of(node, "easy"),
                    "error",
                    f"easy read for '{entry.term}' has a sentence of {longest.longest_words} words (at most {EASY_MAX_WORDS})",
                )
            )
        entries.append(entry)
    return Glossary(entries), problems
