"""Find where a family lives from what they type, to choose their local SEND team."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core import yamlfile
from bot.core.problems import Problem, ProblemError, invalid_yaml

# A postcode district ("CT9"), alone or as the first half of a full postcode ("CT9 1AB").
POSTCODE = re.compile(r"\b([A-Za-z]{2}\d{1,2})(?:\s*\d[A-Za-z]{2})?\b")
# Urdu typed on an Arabic keyboard uses Arabic forms of three letters; match them as Urdu's.
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_ARABIC_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ه": "ہ"})


def place_pattern(name: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """A place name as a whole word. Python's \\b does not see a word end after a Devanagari
    vowel sign, and Nepali joins "in" to the name ("केन्टरबरीमा"), so a Nepali name only
    needs to start a word."""
    start = r"(?<![\w\u0900-\u097F])"
    end = "" if _DEVANAGARI.search(name) else r"(?!\w)"
    return re.compile(start + re.escape(normalise(name)) + end, flags)


def centroids(path: Path) -> dict[str, tuple[float, float]]:
    """Postcode district -> (latitude, longitude), from a CSV of district,latitude,longitude
    (data/places/kent-postcode-districts.csv, with its source and licence beside it)."""
    out: dict[str, tuple[float, float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["district"].strip().upper()] = (float(row["latitude"]), float(row["longitude"]))
    return out


def normalise(text: str) -> str:
    return text.translate(_ARABIC_FORMS)


@dataclass(frozen=True)
class Place:
    district: str | None  # a Kent district, or None for Medway
    team: str | None  # contact id of the area SEND team
    medway: bool = False


class Areas:
    """Kent's districts, towns and postcode districts (content/areas.yml); raises ProblemError
    for a file that cannot be used, naming the file and what is wrong."""

    def __init__(self, path: Path | None) -> None:
        self.districts: dict[str, str] = {}
        self.postcodes: dict[str, Place] = {}
        self.names: list[str] = []  # every district and town name, Medway's too
        self._patterns: list[tuple[re.Pattern[str], Place]] = []
        if path is None:  # no places: what a content load with a broken areas file holds (never served)
            return
        try:
            data = yamlfile.load(path.read_text(encoding="utf-8"))
            self.districts = dict(data["districts"])
            places: dict[str, Place] = {d: Place(d, team) for d, team in self.districts.items()}
            for town, district in data["towns"].items():
                places[town] = Place(district, self.districts[district])
            for town in data["medway"]:
                places[town] = Place(None, None, medway=True)
            self.postcodes = {code: Place(d, self.districts[d]) for code, d in data["postcodes"].items()}
            self.postcodes.update({code: Place(None, None, medway=True) for code in data["medway_postcodes"]})
        except OSError as exc:
            raise ProblemError(Problem(path, 1, "error", f"cannot read it: {exc.strerror}")) from None
        except yaml.YAMLError as exc:
            raise ProblemError(invalid_yaml(path, exc)) from None
        except KeyError as exc:
            raise ProblemError(
                Problem(
                    path,
                    1,
                    "error",
                    f"needs {exc} (districts, towns, postcodes, medway, medway_postcodes); "
                    "every town and postcode must name a district listed under 'districts'",
                )
            ) from None
        except (TypeError, AttributeError, ValueError):
            raise ProblemError(
                Problem(
                    path, 1, "error", "districts, towns and postcodes must be mappings; medway and medway_postcodes must be lists"
                )
            ) from None
        self.names = list(places)
        case_sensitive = set(data.get("case_sensitive") or [])
        # Longest names first, so "Royal Tunbridge Wells" wins over "Tunbridge Wells".
        self._patterns = [
            (place_pattern(name, 0 if name in case_sensitive else re.IGNORECASE), place)
            for name, place in sorted(places.items(), key=lambda item: -len(item[0]))
        ]

    def find(self, text: str) -> Place | None:
        for match in POSTCODE.finditer(text):
            place = self.postcodes.get(match.group(1).upper())
            if place is not None:
                return place
        text = normalise(text)
        for pattern, place in self._patterns:
            if pattern.search(text):
                return place
        return None
