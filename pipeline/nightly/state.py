"""What the nightly job has seen and done, in one SQL database (SQLite unless configured).

Tables:
- ``nightly_articles``: one row per article key (a URL, or ``SOURCE/ID``): its content hash,
  status (``pending`` → ``done`` | ``failed``), attempts, last error, first/last seen, the
  night of its latest outcome, its output path and the article itself (so an interrupted or
  failed article can be finished even after its feed has moved on).
- ``nightly_outcomes``: one row per article per processing result (done or failed), with the
  night, the run, the kind (new, changed, retried, resumed, reprocessed) and the previous
  hash when the content changed. A night's digest is built from these.
- ``nightly_runs``: one row per run, with its summary.
- ``translation_cache``: see :mod:`pipeline.nightly.cache`.

- ``nightly_meta``: the schema version, the window of articles in flight (so that the
  next run knows which articles a run that died was briefing), and which messages of a
  night's digest were delivered (so that a night is never sent twice).

Every state transition is its own short transaction, so killing the process at any moment
leaves the database at the last completed transition. An attempt is counted in the same
transaction as the article's outcome, or when a run died with that article alone in flight
(:meth:`StateStore.settle_crashes`): a kill, a full disk or a lock never costs an innocent
article an attempt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pipeline.core.errors import (
    StateBusyError,
    StateEnvironmentError,
    StateError,
)
from pipeline.ingest.article import Article
from pipeline.nightly.outcomes import RETRYABLE_REASONS, ArticleStatus, OutcomeKind

SCHEMA_VERSION = 1
# Kept as names: the planner and the digest compare with them (they are str enums).
PENDING, DONE, FAILED = ArticleStatus.PENDING, ArticleStatus.DONE, ArticleStatus.FAILED
_CHUNK = 500  # keys per IN (...) clause: well under every database's parameter limit
BUSY_TIMEOUT_MS = 30_000  # how long a write waits for another process's lock on the SQLite file


class Base(DeclarativeBase):
    """Declarative base of the nightly tables."""


class MetaRow(Base):
    """Key/value facts about the database itself (its schema version)."""

    __tablename__ = "nightly_meta"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ArticleRow(Base):
    """The current state of one article key."""

    __tablename__ = "nightly_articles"
    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of key
    key: Mapped[str] = mapped_column(Text)
    file_id: Mapped[str] = mapped_column(String(255), unique=True)
    article_id: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    stamp: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), index=True)
    pending_kind: Mapped[str | None] = mapped_column(String(16))
    registered_run: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    last_reason: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    night: Mapped[str | None] = mapped_column(String(10))
    output_path: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(Text)


class OutcomeRow(Base):
    """One processing result of one article."""

    __tablename__ = "nightly_outcomes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("nightly_articles.key_id"))
    night: Mapped[str] = mapped_column(String(10))
    run_id: Mapped[int] = mapped_column(ForeignKey("nightly_runs.id"))
    status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    output_path: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_nightly_outcomes_night", "night", "key_id"),)


class RunRow(Base):
    """One invocation of `briefing nightly` (dry runs are not recorded)."""

    __tablename__ = "nightly_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    night: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(16))  # running | finished | interrupted | error
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exit_code: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)


class TranslationRow(Base):
    """One cached sentence translation (see :mod:`pipeline.nightly.cache`)."""

    __tablename__ = "translation_cache"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def key_id(key: str) -> str:
    """The primary key of an article key (keys are URLs and may be long)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


def article_to_payload(article: Article) -> str:
    """Serialise an article so it can be processed later without its source."""
    return json.dumps({
        "id": article.id, "text": article.text, "origin": article.origin, "date": article.date,
        "title": article.title, "url": article.url, "source": article.source,
        "extra": article.extra,
    }, ensure_ascii=False, default=str)


def payload_to_article(payload: str) -> Article:
    """The inverse of :func:`article_to_payload`."""
    return Article(**json.loads(payload))


@dataclass(frozen=True)
class Known:
    """What the state says about one key, as the planner needs it."""

    key: str
    status: str
    content_hash: str | None
    stamp: str | None
    attempts: int
    file_id: str
    article_id: str
    last_reason: str | None = None


@dataclass(frozen=True)
class Registration:
    """Make one article pending (new, changed, retried) with its content."""

    key: str
    kind: str
    article: Article
    source: str
    content_hash: str
    stamp: str | None
    reset_attempts: bool


@dataclass(frozen=True)
class WorkItem:
    """One article to process in this run."""

    key: str
    file_id: str
    kind: str
    attempts: int
    status: str
    content_hash: str | None
    payload: str | None
    resumed: bool


@dataclass(frozen=True)
class NightOutcome:
    """The latest outcome of one article in one night, joined with its current state."""

    key: str
    file_id: str
    article_id: str
    source: str
    origin: str
    url: str | None
    title: str | None
    status: str
    kind: str
    attempt: int
    reason: str | None
    error: str | None
    output_path: str | None
    at: datetime
    status_now: str
    attempts_now: int
    night_now: str | None


def normalise_url(url: str) -> str:
    """A SQLAlchemy URL from a URL or a plain path (a path means a SQLite file).

    Raises:
        StateError: the value is neither.
    """
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        make_url(url)
    except ArgumentError as exc:
        raise StateError(f"invalid state database URL '{url}': {exc}") from None
    return url


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for in-memory or server databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # busy_timeout (first: switching to WAL may itself wait): wait for a short write of
    # another process instead of failing; WAL: readers (a --dry-run) never block the writer;
    # FULL: a committed transition survives even a power cut.
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class StateStore:
    """Repository over the nightly tables. Each method is one transaction.

    Args:
        engine: a SQLAlchemy engine (see :meth:`open`).
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, create: bool = True) -> StateStore:
        """Connect (creating the SQLite file, its folder and the tables when ``create``).

        Raises:
            StateError: the database cannot be reached, is not a state database (other
                tables or columns), or was written by a newer schema; its subclasses
                :class:`StateBusyError` and :class:`StateEnvironmentError` when it is locked
                or cannot be written.
        """
        url = normalise_url(url)
        db_file = sqlite_file(url)
        if db_file is not None and create:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        engine = None
        try:
            engine = create_engine(url)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            store = cls(engine)
            with store.state_errors():
                store._check_layout()
                has_version = store._check_schema()
                if create:
                    Base.metadata.create_all(engine)
                    if not has_version:
                        store._set_schema_version()
        except SQLAlchemyError as exc:
            if engine is not None:
                engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise StateError(f"cannot open the state database {_shown(url)}: {reason}") from None
        except BaseException:
            if engine is not None:
                engine.dispose()
            raise
        return store

    def _check_layout(self) -> None:
        """Refuse a database of another program, or tables of another layout (checked before
        anything is created in it)."""
        inspector = inspect(self.engine)
        tables = set(inspector.get_table_names())
        where = _shown(self.engine.url)
        if tables and not tables & set(Base.metadata.tables):
            listed = ", ".join(sorted(tables)[:5])
            raise StateError(f"{where} is not a briefing state database (it holds other tables: "
                             f"{listed}); use another state_url")
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                continue
            found = {c["name"]: c for c in inspector.get_columns(table.name)}
            missing = [c.name for c in table.columns if c.name not in found]
            required = [name for name, c in found.items() if name not in table.columns
                        and not c.get("nullable", True) and c.get("default") is None]
            if missing:
                problem = f"table {table.name} lacks column(s) {', '.join(missing)}"
            elif required:
                problem = (f"table {table.name} has column(s) {', '.join(required)} that this "
                           "briefing cannot fill")
            else:
                continue
            raise StateError(f"the state database {where} has another layout: {problem}; it was "
                             "written by another program or another version of briefing: use "
                             "another state_url, or move it aside to start afresh")

    def _check_schema(self) -> bool:
        """Whether the database records its schema version; refuse a malformed or newer one."""
        if not inspect(self.engine).has_table(MetaRow.__tablename__):
            return False
        with Session(self.engine) as session:
            row = session.get(MetaRow, "schema_version")
            if row is None:
                return False
            where = _shown(self.engine.url)
            try:
                version = int(row.value)
            except (TypeError, ValueError):
                raise StateError(
                    f"the state database {where} has a malformed schema version "
                    f"{str(row.value)[:40]!r}; it was not written by briefing, or is damaged: "
                    "use another state_url, or move it aside to start afresh") from None
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"the state database {where} has schema version {version}, newer than "
                    f"this briefing ({SCHEMA_VERSION}); upgrade briefing or use another state_url")
            return True

    def _set_schema_version(self) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(MetaRow(name="schema_version", value=str(SCHEMA_VERSION)))

    @contextlib.contextmanager
    def state_errors(self) -> Iterator[None]:
        """Turn what the database reports about its environment into one sentence without
        SQL: a damaged file (:class:`StateError`), a lock held past the busy timeout
        (:class:`StateBusyError`), a full disk or a failing device
        (:class:`StateEnvironmentError`). Anything else (a bug) keeps its own type."""
        try:
            yield
        except DatabaseError as exc:
            translated = _translate(exc, _shown(self.engine.url))
            if translated is None:
                raise
            raise translated from None

    def has_tables(self) -> bool:
        """Whether the nightly tables exist (a dry run never creates them)."""
        return inspect(self.engine).has_table(ArticleRow.__tablename__)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, night: str, *, pid: int, host: str) -> int:
        """Record a new run; runs still marked running were killed (the lock says so)."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(RunRow).where(RunRow.status == "running")
                            .values(status="interrupted"))
            run = RunRow(night=night, status="running", pid=pid, host=host, started_at=utcnow())
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, *, status: str, summary: dict, exit_code: int | None) -> None:
        """Record how a run ended."""
        with Session(self.engine) as session, session.begin():
            run = session.get(RunRow, run_id)
            if run is None:
                return
            run.status = status
            run.finished_at = utcnow()
            run.exit_code = exit_code
            run.summary = json.dumps(summary, ensure_ascii=False, default=str)

    def runs_for_night(self, night: str) -> list[dict]:
        """Every recorded run of a night, oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(select(RunRow).where(RunRow.night == night)
                                   .order_by(RunRow.id)).all()
            return [{
                "id": r.id, "status": r.status, "pid": r.pid, "host": r.host,
                "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
                "exit_code": r.exit_code,
                "summary": json.loads(r.summary) if r.summary else None,
            } for r in rows]

    # -- planning -------------------------------------------------------------------------

    def snapshot(self, keys: Iterable[str] | None = None) -> dict[str, Known]:
        """What is known about ``keys`` (all keys when None), without the payloads."""
        columns = (ArticleRow.key, ArticleRow.status, ArticleRow.content_hash, ArticleRow.stamp,
                   ArticleRow.attempts, ArticleRow.file_id, ArticleRow.article_id,
                   ArticleRow.last_reason)
        known: dict[str, Known] = {}
        with Session(self.engine) as session:
            if keys is None:
                batches: Iterable[list[str] | None] = [None]
            else:
                ids = sorted({key_id(k) for k in keys})
                batches = [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]
            for batch in batches:
                query = select(*columns)
                if batch is not None:
                    query = query.where(ArticleRow.key_id.in_(batch))
                for row in session.execute(query):
                    known[row.key] = Known(*row)
        return known

    def file_ids(self) -> set[str]:
        """Every output file id in use."""
        with Session(self.engine) as session:
            return set(session.scalars(select(ArticleRow.file_id)))

    def touch(self, keys: Sequence[str]) -> None:
        """Record that ``keys`` were seen again (unchanged)."""
        now = utcnow()
        ids = [key_id(k) for k in keys]
        with Session(self.engine) as session, session.begin():
            for i in range(0, len(ids), _CHUNK):
                session.execute(update(ArticleRow).where(ArticleRow.key_id.in_(ids[i:i + _CHUNK]))
                                .values(last_seen=now))

    def register(self, items: Sequence[Registration], *, run_id: int,
                 file_ids: dict[str, str]) -> None:
        """Make articles pending with their content, in one transaction.

        Args:
            items: what to register.
            run_id: the run registering them.
            file_ids: key -> output file id for keys new to the database.
        """
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            for item in items:
                row = session.get(ArticleRow, key_id(item.key))
                if row is None:
                    row = ArticleRow(
                        key_id=key_id(item.key), key=item.key, file_id=file_ids[item.key],
                        article_id=item.article.id, first_seen=now, attempts=0, revision=0)
                    session.add(row)
                elif row.content_hash != item.content_hash and item.kind == "changed":
                    row.previous_hash = row.content_hash
                    row.revision = (row.revision or 0) + 1
                row.source = item.source
                row.origin = item.article.origin
                row.url = item.article.url
                row.title = item.article.title
                row.content_hash = item.content_hash
                row.stamp = item.stamp
                row.status = PENDING
                row.pending_kind = item.kind
                row.registered_run = run_id
                row.last_seen = now
                row.payload = article_to_payload(item.article)
                if item.reset_attempts:
                    row.attempts = 0

    def force(self, keys: Sequence[str], *, run_id: int) -> int:
        """Make known articles pending again (``--reprocess``); returns how many could be."""
        count = 0
        with Session(self.engine) as session, session.begin():
            for key in keys:
                row = session.get(ArticleRow, key_id(key))
                if row is None or row.payload is None:
                    continue
                row.status = PENDING
                row.pending_kind = OutcomeKind.REPROCESSED
                row.registered_run = run_id
                row.attempts = 0
                count += 1
        return count

    def work_list(self, max_attempts: int, run_id: int) -> list[WorkItem]:
        """Pending articles, and failed ones with content, attempts left and a failure that
        can change (:mod:`pipeline.nightly.outcomes`), oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(ArticleRow).where(
                    (ArticleRow.status == PENDING)
                    | ((ArticleRow.status == FAILED) & (ArticleRow.attempts < max_attempts)
                       & ArticleRow.payload.is_not(None)
                       & ArticleRow.last_reason.in_(sorted(RETRYABLE_REASONS))))
                .order_by(ArticleRow.first_seen, ArticleRow.file_id)).all()
            return [WorkItem(
                key=r.key, file_id=r.file_id,
                kind=OutcomeKind(r.pending_kind or OutcomeKind.NEW) if r.status == PENDING
                else OutcomeKind.RETRIED,
                attempts=r.attempts, status=r.status, content_hash=r.content_hash,
                payload=r.payload,
                resumed=r.status == PENDING and r.registered_run != run_id,
            ) for r in rows]

    def claim(self, keys: Sequence[str], *, run_id: int) -> None:
        """Record ``keys`` as the window in flight *before* briefing it, so that a run that
        dies (killed, crashed) leaves evidence of what it was doing. No attempt is counted
        here: attempts are counted with an outcome, or by :meth:`settle_crashes`."""
        with Session(self.engine) as session, session.begin():
            for key in keys:
                row = session.get(ArticleRow, key_id(key))
                if row is not None and row.status == FAILED:
                    row.status, row.pending_kind = PENDING, OutcomeKind.RETRIED
            session.merge(MetaRow(name=_IN_FLIGHT, value=json.dumps(
                {"run_id": run_id, "keys": list(keys)}, ensure_ascii=False)))

    def release_in_flight(self) -> None:
        """Forget the window in flight: the run stopped it under control (a full disk, a
        bug, Ctrl-C), which is not its articles' doing."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(MetaRow).where(MetaRow.name == _IN_FLIGHT))

    def settle_crashes(self, *, previous_run_died: bool) -> list[str]:
        """Settle the window the previous run had in flight, in one transaction.

        When that run died (see :attr:`pipeline.nightly.lock.RunLock.previous_run_died`)
        and the window held one article, that article is the culprit: an attempt is counted
        for it. A larger window proves nothing against any one article: none is counted.

        Returns:
            The keys of that window still pending (to be briefed alone: a culprit among them
            then dies alone); empty when the previous run did not die.
        """
        with Session(self.engine) as session, session.begin():
            row = session.get(MetaRow, _IN_FLIGHT)
            if row is None:
                return []
            keys = _in_flight_keys(row.value)
            session.delete(row)
            if not previous_run_died:
                return []
            rows = [r for r in (session.get(ArticleRow, key_id(k)) for k in keys)
                    if r is not None and r.status == PENDING]
            if len(keys) == 1 and rows:
                rows[0].attempts = (rows[0].attempts or 0) + 1
            return [r.key for r in rows]

    def deliveries(self, night: str) -> dict[str, dict]:
        """The messages of ``night`` already delivered: message key -> its record."""
        with Session(self.engine) as session:
            rows = session.scalars(select(MetaRow).where(MetaRow.name.like(_DELIVERED + "%")))
            found = {}
            for row in rows:
                try:
                    record = json.loads(row.value)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("night") == night:
                    found[str(record.get("message"))] = record
            return found

    def record_delivery(self, night: str, message: str, record: dict) -> None:
        """Remember that ``message`` (a key such as ``digest`` or ``watch:Iran``) of ``night``
        was delivered."""
        name = _DELIVERED + hashlib.sha256(f"{night}\0{message}".encode()).hexdigest()[:40]
        value = json.dumps({**record, "night": night, "message": message}, ensure_ascii=False)
        with Session(self.engine) as session, session.begin():
            session.merge(MetaRow(name=name, value=value))

    def latest_night(self) -> str | None:
        """The latest night any run was recorded for (None for a new database)."""
        with Session(self.engine) as session:
            return session.scalar(select(func.max(RunRow.night)))

    # -- outcomes -------------------------------------------------------------------------

    def record_done(self, key: str, *, night: str, run_id: int, kind: str,
                    output_path: str) -> None:
        """Mark an article done; call only after its output file is in place."""
        with Session(self.engine) as session, session.begin():
            row = session.get(ArticleRow, key_id(key))
            assert row is not None, key
            row.attempts = (row.attempts or 0) + 1
            row.status, row.night, row.output_path = DONE, night, output_path
            row.last_reason = row.last_error = None
            session.add(OutcomeRow(
                key_id=row.key_id, night=night, run_id=run_id, status=DONE, kind=kind,
                attempt=row.attempts, content_hash=row.content_hash,
                previous_hash=row.previous_hash if kind == OutcomeKind.CHANGED else None,
                output_path=output_path, at=utcnow()))

    def record_failed(self, key: str, *, night: str, run_id: int, kind: str, reason: str,
                      message: str, count_attempt: bool = False, attempted: bool = False,
                      article: Article | None = None, source: str | None = None,
                      file_id: str | None = None) -> None:
        """Mark an article failed with its reason.

        Args:
            count_attempt: a read failure: add an attempt and forget the stored content.
            attempted: a briefing failure: add an attempt (with this outcome).
            article, source, file_id: create the row when the key is new (read failures).
        """
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            row = session.get(ArticleRow, key_id(key))
            if row is None:
                assert file_id is not None and source is not None, key
                row = ArticleRow(
                    key_id=key_id(key), key=key, file_id=file_id,
                    article_id=article.id if article else file_id, source=source,
                    origin=article.origin if article else key, url=article.url if article else None,
                    title=None, first_seen=now, last_seen=now, attempts=0, revision=0)
                session.add(row)
            if count_attempt:
                row.attempts = (row.attempts or 0) + 1
                row.content_hash = None
                row.payload = None
                row.last_seen = now
            elif attempted:
                row.attempts = (row.attempts or 0) + 1
            row.status, row.night = FAILED, night
            row.last_reason, row.last_error = reason, message
            session.add(OutcomeRow(
                key_id=row.key_id, night=night, run_id=run_id, status=FAILED, kind=kind,
                attempt=row.attempts, content_hash=row.content_hash, reason=reason,
                error=message, at=now))

    def night_outcomes(self, night: str) -> list[NightOutcome]:
        """The latest outcome of every article processed (or failed) in ``night``."""
        with Session(self.engine) as session:
            latest = (select(func.max(OutcomeRow.id)).where(OutcomeRow.night == night)
                      .group_by(OutcomeRow.key_id))
            rows = session.execute(
                select(OutcomeRow, ArticleRow)
                .join(ArticleRow, ArticleRow.key_id == OutcomeRow.key_id)
                .where(OutcomeRow.id.in_(latest))
                .order_by(OutcomeRow.id)).all()
            return [NightOutcome(
                key=a.key, file_id=a.file_id, article_id=a.article_id, source=a.source,
                origin=a.origin, url=a.url, title=a.title, status=o.status, kind=o.kind,
                attempt=o.attempt, reason=o.reason, error=o.error, output_path=o.output_path,
                at=o.at, status_now=a.status, attempts_now=a.attempts, night_now=a.night,
            ) for o, a in rows]

    def outcome_counts(self, night: str) -> dict[str, int]:
        """How many outcome rows of each status a night has (for tests and audits)."""
        with Session(self.engine) as session:
            rows = session.execute(select(OutcomeRow.status, func.count())
                                   .where(OutcomeRow.night == night)
                                   .group_by(OutcomeRow.status)).all()
            return {status: count for status, count in rows}


def _shown(url: str | URL) -> str:
    """A database URL as it may be shown (no password)."""
    return make_url(url).render_as_string(hide_password=True)


_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_ENVIRONMENT = {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
                sqlite3.SQLITE_PERM}


def _translate(exc: DatabaseError, where: str) -> StateError | None:
    """The sentence for a database error caused by the environment; None for anything else."""
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    code = code & 0xFF if isinstance(code, int) else None  # primary code of an extended one
    if code in _BUSY:
        return StateBusyError(
            f"the state database {where} is locked by another process (it stayed locked for "
            f"{BUSY_TIMEOUT_MS / 1000:g} s); work finished before is kept: run again when "
            "that process is done")
    if code == sqlite3.SQLITE_FULL:
        return StateEnvironmentError(
            f"the state database {where} cannot be written: the disk under it is full; work "
            "finished before is kept and no article lost an attempt: free some space and run "
            "again")
    if code in _ENVIRONMENT:
        return StateEnvironmentError(
            f"the state database {where} cannot be written ({orig}); work finished before is "
            "kept: check its file and folder, then run again")
    if code in _DAMAGED or type(exc) is DatabaseError:
        return StateError(f"the state database {where} is damaged ({orig}); restore it from a "
                          "backup, or move it aside to start afresh")
    return None


_IN_FLIGHT = "in_flight"  # nightly_meta: the window being briefed, as JSON
_DELIVERED = "delivered:"  # nightly_meta: one row per delivered message of a night


def _in_flight_keys(value: str) -> list[str]:
    try:
        keys = json.loads(value).get("keys", [])
    except (ValueError, AttributeError):
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
