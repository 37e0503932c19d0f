"""The Local Offer's services, stored from an Open Referral UK feed, and searched.

Each service is kept whole (`record`, the feed's JSON) beside the columns a search needs:
the text it is searched by, the Kent districts it serves, its ages and where it is. Full-text
search is the database's own: SQLite FTS5 (BM25) by default, PostgreSQL's English text search
in production. A sync's changes land in one transaction, so a search sees the old directory or
the new one, never half of each, and the running assistant sees a sync as soon as it commits.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, String, Text, delete, func, literal_column, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.core.areas import POSTCODE, Areas, centroids
from bot.core.services import Found, Service, ServiceQuery
from bot.core.settings import ROOT
from bot.storage.store import Base, Store, utcnow

log = logging.getLogger(__name__)

# Service areas that mean "the whole county" or "anywhere in the country".
COUNTY = {"kent", "kent county", "kent and medway", "kent & medway"}
NATIONAL = {"england", "uk", "united kingdom", "great britain", "national", "england and wales", "nationwide"}
REACH_ORDER = {"local": 0, "county": 1, "national": 2}
# Must match PG_DOCUMENT in migrations/versions/0004_directory.py, or PostgreSQL will not use the index.
PG_DOCUMENT = (
    "to_tsvector('english', coalesce(name, '') || ' ' || coalesce(organisation, '') || ' ' || coalesce(description, '') "
    "|| ' ' || coalesce(eligibility, '') || ' ' || coalesce(terms, ''))"
)
CENTROIDS = ROOT / "data" / "places" / "kent-postcode-districts.csv"
# At most this many matches are ranked by place and distance; a page shows a few of them.
CANDIDATES = 500


class DirectoryService(Base):
    __tablename__ = "directory_services"

    id = Column(String(255), primary_key=True)
    name = Column(String(500), nullable=False)
    organisation = Column(String(500))
    description = Column(Text, nullable=False)
    eligibility = Column(Text)
    terms = Column(Text, nullable=False)  # taxonomy terms' names and codes, and the needs they stand for
    needs = Column(Text, nullable=False)  # "|autism|parent-support|": need ids from the taxonomy codes
    areas = Column(Text, nullable=False)  # service areas' names, as the feed writes them
    districts = Column(Text, nullable=False)  # "|Ashford|Dover|": the Kent districts those name
    reach = Column(String(16), nullable=False)  # local, county or national
    postcodes = Column(Text, nullable=False)  # postcode districts of its locations, " CT9 CT10 "
    latitude = Column(Float)
    longitude = Column(Float)
    minimum_age = Column(Float)
    maximum_age = Column(Float)
    url = Column(Text)
    email = Column(String(254))
    phone = Column(String(64))
    cost = Column(Text)
    assured_date = Column(Date)
    last_modified = Column(String(64))
    record = Column(Text, nullable=False)


class DirectorySync(Base):
    """One run of `bot directory sync`: what it stored, removed and skipped, or why it failed."""

    __tablename__ = "directory_syncs"

    id = Column(Integer, primary_key=True)
    feed = Column(Text, nullable=False)
    started_at = Column(DateTime, nullable=False)
    finished_at = Column(DateTime)
    status = Column(String(16), nullable=False)  # running, ok, failed
    incremental = Column(Boolean, nullable=False)
    stored = Column(Integer, nullable=False, default=0)
    removed = Column(Integer, nullable=False, default=0)
    skipped = Column(Text, nullable=False, default="[]")  # JSON: [{"id": ..., "reason": ...}]
    error = Column(Text)


@dataclass(frozen=True)
class Skipped:
    id: str
    reason: str


@dataclass(frozen=True)
class Changes:
    """What one sync would do: store these records; keep only `keep` ids (None: remove nothing)."""

    records: list[dict[str, Any]]
    keep: set[str] | None
    skipped: list[Skipped]


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _web(value: Any) -> str | None:
    """A web address a page can link to: http or https only, never javascript: or data:."""
    url = _text(value)
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _locations(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [sal["location"] for sal in record.get("service_at_locations") or [] if isinstance(sal.get("location"), dict)]


def _first_phone(record: dict[str, Any]) -> str | None:
    for holder in [record, *(record.get("service_at_locations") or []), *_locations(record), record.get("organization") or {}]:
        for phone in holder.get("phones") or []:
            if _text(phone.get("number")):
                return str(phone["number"]).strip().strip('"')
    return None


def columns(record: dict[str, Any], areas: Areas) -> dict[str, Any]:
    """The searchable columns of one valid Open Referral record. Kent districts are read from
    the service areas' names and the locations' towns and postcodes, with the assistant's own
    place names (content/areas.yml)."""
    organisation = record.get("organization") or {}
    area_names = [str(a.get("name") or a.get("description") or "").strip() for a in record.get("service_areas") or []]
    area_names = [a for a in area_names if a]
    addresses = [a for loc in _locations(record) for a in loc.get("addresses") or []]
    postcodes = sorted({m.group(1).upper() for a in addresses for m in POSTCODE.finditer(str(a.get("postal_code") or ""))})
    districts: set[str] = set()
    medway = False
    for place_text in [*area_names, *(str(a.get("city") or "") for a in addresses), *postcodes]:
        place = areas.find(place_text) if place_text else None
        if place is not None and place.district:
            districts.add(place.district)
        medway = medway or bool(place and place.medway)
    folded = {a.lower() for a in area_names}
    reach = "national" if folded & NATIONAL else "county" if folded & COUNTY else "local"
    if reach == "local" and not districts and not medway and not area_names and not addresses:
        reach = "county"  # a Kent feed's service that names no area serves the county
    terms, needs = [], []
    for attribute in record.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        terms += [str(term[k]) for k in ("name", "code") if _text(term.get(k))]
        if term.get("taxonomy") == "kent-send-assistant-needs" and _text(term.get("code")):
            needs.append(str(term["code"]))
    located = [
        loc
        for loc in _locations(record)
        if _number(loc.get("latitude")) is not None and _number(loc.get("longitude")) is not None
    ]
    cost = "; ".join(
        filter(None, (_text(c.get("amount_description")) or _text(c.get("option")) for c in record.get("cost_options") or []))
    )
    return {
        "id": str(record["id"]),
        "name": str(record["name"]).strip(),
        "organisation": _text(organisation.get("name")),
        "description": _text(record.get("description")) or "",
        "eligibility": _text(record.get("eligibility_description")),
        "terms": " ".join(terms),
        "needs": "|" + "|".join(needs) + "|",
        "areas": "; ".join(area_names),
        "districts": "|" + "|".join(sorted(districts)) + "|",
        "reach": reach,
        "postcodes": " " + " ".join(postcodes) + " ",
        "latitude": _number(located[0]["latitude"]) if located else None,
        "longitude": _number(located[0]["longitude"]) if located else None,
        "minimum_age": _number(record.get("minimum_age")),
        "maximum_age": _number(record.get("maximum_age")),
        "url": _web(record.get("url")) or _web(organisation.get("website")),
        "email": _text(record.get("email")) or _text(organisation.get("email")),
        "phone": _first_phone(record),
        "cost": cost or _text(record.get("fees_description")),
        "assured_date": _date(record.get("assured_date")),
        "last_modified": _text(record.get("last_modified")),
        "record": json.dumps(record, ensure_ascii=False, sort_keys=True),
    }


def fts_query(terms: Iterable[str], text_words: str) -> str:
    """An FTS5 query: any of the terms, and every word of the text; each quoted, so nothing a
    family types is read as query syntax."""
    quoted = [f'"{t.replace(chr(34), " ")}"' for t in terms if t.strip()]
    words = [f'"{w}"' for w in re.findall(r"\w+", text_words)]
    parts = [f"({' OR '.join(quoted)})"] if quoted else []
    return " AND ".join(parts + words)


def pg_query(terms: Iterable[str], text_words: str) -> str:
    """The same, for PostgreSQL's websearch_to_tsquery."""
    quoted = [f'"{t.replace(chr(34), " ")}"' for t in terms if t.strip()]
    words = re.findall(r"\w+", text_words)
    if quoted and words:
        # websearch syntax has no brackets: (a OR b) AND c is written a c OR b c.
        return " OR ".join(f"{q} {' '.join(words)}" for q in quoted)
    return " OR ".join(quoted) if quoted else " ".join(words)


class Directory:
    """The services directory in the app database (the store's engine and migrations)."""

    def __init__(self, store: Store, places: dict[str, tuple[float, float]] | None = None) -> None:
        self.store = store
        self.engine = store.engine
        self.centroids = centroids(CENTROIDS) if places is None else places

    # --- sync -------------------------------------------------------------------------------

    def start_sync(self, feed: str, incremental: bool) -> int:
        with Session(self.engine) as session:
            row = DirectorySync(
                feed=feed, started_at=utcnow(), status="running", incremental=incremental, stored=0, removed=0, skipped="[]"
            )
            session.add(row)
            session.commit()
            return int(row.id)

    def fail_sync(self, sync_id: int, error: str) -> None:
        with Session(self.engine) as session:
            row = session.get(DirectorySync, sync_id)
            if row is not None:
                row.status, row.error, row.finished_at = "failed", error, utcnow()
                session.commit()

    def apply(self, sync_id: int, changes: Changes, areas: Areas) -> tuple[int, int]:
        """Store the records and remove services no longer in the feed, in one transaction.
        Returns (stored, removed)."""
        rows = [columns(r, areas) for r in changes.records]
        with self.engine.begin() as connection:
            existing = set(connection.execute(select(DirectoryService.id)).scalars())
            gone = existing - changes.keep if changes.keep is not None else set()
            ids = [r["id"] for r in rows]
            for chunk in _chunks(sorted(gone | set(ids))):
                connection.execute(delete(DirectoryService).where(DirectoryService.id.in_(chunk)))
            if rows:
                connection.execute(DirectoryService.__table__.insert(), rows)
            if connection.dialect.name == "sqlite":
                self._index_sqlite(connection, sorted(gone | set(ids)), rows)
            connection.execute(
                DirectorySync.__table__.update()
                .where(DirectorySync.id == sync_id)
                .values(
                    status="ok",
                    finished_at=utcnow(),
                    stored=len(rows),
                    removed=len(gone),
                    skipped=json.dumps([s.__dict__ for s in changes.skipped]),
                )
            )
        return len(rows), len(gone)

    @staticmethod
    def _index_sqlite(connection: Connection, changed: list[str], rows: list[dict[str, Any]]) -> None:
        for chunk in _chunks(changed):
            marks = ",".join("?" * len(chunk))
            connection.exec_driver_sql(f"DELETE FROM directory_search WHERE service_id IN ({marks})", tuple(chunk))
        for row in rows:
            connection.exec_driver_sql(
                "INSERT INTO directory_search (service_id, name, organisation, description, eligibility, terms) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (row["id"], row["name"], row["organisation"] or "", row["description"], row["eligibility"] or "", row["terms"]),
            )

    def last_syncs(self, count: int = 5) -> list[DirectorySync]:
        with Session(self.engine, expire_on_commit=False) as session:
            return list(session.scalars(select(DirectorySync).order_by(DirectorySync.id.desc()).limit(count)))

    def last_success(self) -> DirectorySync | None:
        with Session(self.engine, expire_on_commit=False) as session:
            query = select(DirectorySync).where(DirectorySync.status == "ok").order_by(DirectorySync.id.desc()).limit(1)
            return session.scalars(query).first()

    def count(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(DirectoryService)) or 0)

    def counts_by_reach(self) -> dict[str, int]:
        with Session(self.engine) as session:
            rows = session.execute(select(DirectoryService.reach, func.count()).group_by(DirectoryService.reach))
            return {str(reach): int(n) for reach, n in rows}

    # --- search -----------------------------------------------------------------------------

    def get(self, service_id: str) -> Service | None:
        try:
            with Session(self.engine) as session:
                row = session.get(DirectoryService, service_id)
                return _service(row) if row is not None else None
        except SQLAlchemyError:
            log.exception("directory: cannot read service %s", service_id)
            return None

    def search(self, query: ServiceQuery) -> Found:
        """Services that match the needs and words, serve the district (or the county, or the
        country) and take the child's age; local ones first, then nearer ones, then the best text
        match. A directory that cannot be read finds nothing, and says so in the log."""
        try:
            return self._search(query)
        except SQLAlchemyError:
            log.exception("directory: search failed")
            return Found([], 0)

    def _search(self, query: ServiceQuery) -> Found:
        table = DirectoryService.__table__
        statement = select(table.c.id)
        rank: Any = None
        dialect = self.engine.dialect.name
        if query.terms or query.text.strip():
            if dialect == "sqlite":
                match = fts_query(query.terms, query.text)
                hits = text(
                    "SELECT service_id, bm25(directory_search) AS score FROM directory_search WHERE directory_search MATCH :q"
                )
                fts = hits.bindparams(q=match).columns(service_id=String, score=Float).subquery("fts")
                statement = statement.join(fts, fts.c.service_id == table.c.id)
                rank = fts.c.score  # BM25: lower is better
            else:
                tsquery = func.websearch_to_tsquery("english", pg_query(query.terms, query.text))
                document = literal_column(PG_DOCUMENT)
                statement = statement.where(document.op("@@")(tsquery))
                rank = -func.ts_rank(document, tsquery)
        if query.district:
            statement = statement.where(
                (table.c.districts.contains(f"|{query.district}|")) | table.c.reach.in_(("county", "national"))
            )
        if query.age is not None:
            statement = statement.where(
                (table.c.minimum_age.is_(None) | (table.c.minimum_age <= query.age))
                & (table.c.maximum_age.is_(None) | (table.c.maximum_age >= query.age))
            )
        statement = statement.add_columns(
            table.c.reach, table.c.districts, table.c.latitude, table.c.longitude, table.c.postcodes, table.c.name
        )
        if rank is not None:
            statement = statement.add_columns(rank.label("rank"))
        with self.engine.connect() as connection:
            candidates = list(connection.execute(statement.limit(CANDIDATES)))
            candidates.sort(key=lambda row: self._order(row, query, rank is not None))
            page = [row.id for row in candidates[query.offset : query.offset + query.limit]]
            rows = {r.id: r for r in connection.execute(select(table).where(table.c.id.in_(page)))} if page else {}
        return Found([_service(rows[i]) for i in page if i in rows], len(candidates))

    def _order(self, row: Any, query: ServiceQuery, ranked: bool) -> tuple[Any, ...]:
        here = 0 if query.district and f"|{query.district}|" in row.districts else 1
        distance = self._distance(row, query.postcode)
        return (
            here if query.district else 0,
            REACH_ORDER.get(row.reach, 1) if query.district else 0,
            distance if distance is not None else math.inf,
            row.rank if ranked else 0,
            row.name.lower(),
        )

    def _distance(self, row: Any, postcode: str | None) -> float | None:
        """Kilometres between the family's postcode district and the service's, by their centroids."""
        origin = self.centroids.get(postcode or "")
        if origin is None:
            return None
        points = [self.centroids[p] for p in row.postcodes.split() if p in self.centroids]
        if row.latitude is not None and row.longitude is not None:
            points.append((row.latitude, row.longitude))
        return min((_km(origin, p) for p in points), default=None)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine); postcode-district centroids need nothing finer."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _service(row: Any) -> Service:
    return Service(
        id=row.id,
        name=row.name,
        organisation=row.organisation,
        description=row.description,
        area=row.areas or None,
        url=row.url,
        email=row.email,
        phone=row.phone,
        minimum_age=row.minimum_age,
        maximum_age=row.maximum_age,
        cost=row.cost,
        last_assured=row.assured_date,
        eligibility=row.eligibility,
        needs=tuple(n for n in row.needs.split("|") if n),
    )
