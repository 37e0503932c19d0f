"""Questions that are not ours to answer, recognised before any topic is chosen.

- A family in another council's area (a town, county, London borough or postcode outside
  Kent, or Medway): their own council runs their Local Offer, and every area has an IASK-style
  service. Councils and towns come from data/places/local-authorities.yml (ONS names and
  codes, Open Government Licence).
- Scotland, Wales and Northern Ireland have different systems (co-ordinated support plans,
  individual development plans, statements), and their own advice services.
- A request to write a letter: IASK and IPSEA's template letters help families write their own.

- Instructions hidden in a message ("ignore your rules and..."): the plain fallback. Nothing a
  message says changes what the assistant does.

Staff own the phrases (content/scope/<language>.yml). A family who names a Kent place is in
Kent, whatever else they mention ("we are moving from Croydon to Maidstone").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.assistant.phrases import PhraseLists
from bot.core.areas import Place
from bot.core.problems import Problem, ProblemError, invalid_yaml
from bot.core.settings import ROOT
from bot.core.text import fold

SCOPE_FOLDER = "scope"
SCOPE_LABELS = ("instructions", "letter", "scotland", "wales", "northern_ireland")
NATIONS = ("scotland", "wales", "northern_ireland")
COUNCILS_FILE = ROOT / "data" / "places" / "local-authorities.yml"
# Contacts for each case, in content/contacts.yml.
CONTACTS = {
    "council": ("find-your-council", "find-your-iass", "ipsea"),
    "medway": ("medway-send", "find-your-iass"),
    "scotland": ("enquire",),
    "wales": ("snap-cymru",),
    "northern_ireland": ("senac",),
    "letter": ("iask", "ipsea"),
}
# A full postcode ("G12 8QQ", "BN3 5AB"), or a two-letter postcode district alone ("BN3"):
# a one-letter district alone ("B1") is too easily something else. Groups: the area's letters
# and the district's number, from whichever form matched.
POSTCODE = re.compile(r"\b(?:([A-Za-z]{1,2})(\d[A-Za-z\d]?)\s*\d[A-Za-z]{2}|([A-Za-z]{2})(\d{1,2}))\b")
_NATION_NAMES = {"England": "council", "Scotland": "scotland", "Wales": "wales", "Northern Ireland": "northern_ireland"}


@dataclass(frozen=True)
class Elsewhere:
    """What kind of question it is ('council', 'medway', 'scotland', 'wales', 'northern_ireland',
    'letter' or 'instructions'), and the council's name when a place named it."""

    kind: str
    council: str | None = None


class Councils:
    """Places outside Kent and the council whose Local Offer covers each; raises ProblemError
    for a file that cannot be used."""

    def __init__(self, path: Path = COUNCILS_FILE) -> None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            councils = {c["name"]: c for c in data["councils"] if not c.get("kent")}
            towns = {str(t): str(c) for t, c in (data.get("towns") or {}).items()}
            self.postcode_areas = {str(a).upper(): str(d) for a, d in (data.get("postcode_areas") or {}).items()}
            self.postcode_districts = {str(d).upper(): str(c) for d, c in (data.get("postcode_districts") or {}).items()}
            self.postcode_nations = {str(a).upper(): str(n) for a, n in (data.get("postcode_nations") or {}).items()}
            case_sensitive = set(data.get("case_sensitive") or [])
        except OSError as exc:
            raise ProblemError(Problem(path, 1, "error", f"cannot read it: {exc.strerror}")) from None
        except yaml.YAMLError as exc:
            raise ProblemError(invalid_yaml(path, exc)) from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise ProblemError(Problem(path, 1, "error", f"needs councils (each with a name and nation), towns: {exc}")) from None
        unknown = sorted(c for c in towns.values() if c not in councils)
        if unknown:
            raise ProblemError(Problem(path, 1, "error", f"towns name councils that are not listed: {', '.join(unknown[:5])}"))
        # a district in a two-tier area points to the county council that runs its Local Offer
        self.council_of = {**{name: str(c.get("local_offer") or name) for name, c in councils.items()}, **towns}
        self.nation_of = {name: _NATION_NAMES.get(str(c.get("nation")), "council") for name, c in councils.items()}
        unknown_offers = sorted(o for o in [*self.council_of.values(), *self.postcode_districts.values()] if o not in councils)
        if unknown_offers:
            raise ProblemError(
                Problem(
                    path,
                    1,
                    "error",
                    f"local_offer or postcode_districts name councils that are not listed: {', '.join(unknown_offers[:5])}",
                )
            )
        self._by_folded_name = {fold(name).lower(): council for name, council in self.council_of.items()}
        names = sorted(self.council_of, key=len, reverse=True)
        self._any_case = _alternation([n for n in names if n not in case_sensitive], re.IGNORECASE)
        self._exact_case = _alternation([n for n in names if n in case_sensitive], 0)

    def find(self, text: str) -> Elsewhere | None:
        for match in POSTCODE.finditer(text):
            letters, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            council = self.postcode_districts.get(f"{letters}{number}".upper())
            if council is not None:
                return Elsewhere("council", council)
            if letters.upper() in self.postcode_areas:
                return Elsewhere(self.postcode_nations.get(letters.upper(), "council"))
        folded = fold(text)
        for pattern in (self._exact_case, self._any_case):
            found = pattern.search(folded) if pattern is not None else None
            if found:
                council = self._by_folded_name[found.group(0).lower()]
                return Elsewhere(self.nation_of.get(council, "council"), council)
        return None


def _alternation(names: list[str], flags: int) -> re.Pattern[str] | None:
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(n)) for n in names) + r")(?!\w)", flags)


def find(text: str, place: Place | None, phrases: PhraseLists, councils: Councils, about_send: bool = True) -> Elsewhere | None:
    """Whether the message is from outside Kent, or asks for something that is not ours. A
    place outside Kent only counts in a question about SEND (`about_send`): "when does Bexley
    collect the bins" gets the plain fallback, not a list of SEND services."""
    labels = phrases.find(text)
    if "instructions" in labels:
        return Elsewhere("instructions")
    if "letter" in labels:
        return Elsewhere("letter")
    if place is not None and not place.medway:
        return None
    for nation in NATIONS:
        if nation in labels:
            return Elsewhere(nation)
    if not about_send:
        return None
    if place is not None and place.medway:
        return Elsewhere("medway", "Medway")
    return councils.find(text)
