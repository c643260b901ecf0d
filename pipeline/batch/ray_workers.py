"""What runs inside Ray workers for ``briefing batch --engine ray``.

Rows travel between stages as three columns: ``id``, ``kind`` and ``payload`` (JSON), plus
``order`` (the input position, for duplicate detection) until the articles are briefed.
Every step reuses the local engine's code: the readers of :mod:`pipeline.ingest.readers`,
:meth:`BriefingEngine.prepare` and :meth:`BriefingEngine.brief_prepared`; only the
plumbing between them is Ray's.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.core.errors import ArticleError
from pipeline.ingest.article import Article
from pipeline.ingest.prepare import PreparedArticle

ORDER_STRIDE = 1_000_000_000  # input index * stride + position inside the input


# -- rows ---------------------------------------------------------------------------------

def article_row(item: Article | ArticleError, order: int) -> dict[str, Any]:
    """One read result as a row."""
    if isinstance(item, ArticleError):
        return {"id": item.article_id or "", "kind": "error", "order": order,
                "payload": json.dumps(item.to_record(), ensure_ascii=False)}
    return {"id": item.id, "kind": "article", "order": order,
            "payload": json.dumps(dataclasses.asdict(item), ensure_ascii=False)}


def article_from_payload(payload: str) -> Article:
    """The :class:`Article` a row carries."""
    return Article(**json.loads(payload))


def error_from_record(record: dict) -> ArticleError:
    """An :class:`ArticleError` back from its ``errors.jsonl`` record."""
    return ArticleError(record["message"], reason=record["reason"], origin=record["origin"],
                        article_id=record.get("id"))


def _prepared_payload(prepared: PreparedArticle, seconds: float) -> str:
    return json.dumps({
        "article": dataclasses.asdict(prepared.article),
        "language": prepared.language,
        "language_confidence": prepared.language_confidence,
        "paragraphs": prepared.paragraphs,
        "removed_captions": prepared.removed_captions,
        "prepare_s": seconds,
    }, ensure_ascii=False)


def _prepared_from_payload(payload: str) -> tuple[PreparedArticle, float]:
    data = json.loads(payload)
    seconds = data.pop("prepare_s")
    data["article"] = Article(**data["article"])
    return PreparedArticle(**data), seconds


def _columns(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, list]:
    return {name: [row[name] for row in rows] for name in names}


# -- stage 1: read (stateless tasks) ---------------------------------------------------------

def read_input(row: dict[str, Any], *, max_bytes: int) -> list[dict[str, Any]]:
    """Read one input (a local file, or the bytes of a remote one) into article rows."""
    from pipeline.ingest import readers

    base = int(row["index"]) * ORDER_STRIDE
    path = row["path"]
    if row.get("bytes") is None:
        results = readers.read_file(Path(path), max_bytes=max_bytes)
    elif path.lower().endswith(".parquet"):
        results = readers.read_parquet(io.BytesIO(row["bytes"]), origin=path,
                                       max_bytes=max_bytes)
    elif path.lower().endswith(".jsonl"):
        results = readers.read_jsonl_stream(io.BytesIO(row["bytes"]), origin=path,
                                            max_bytes=max_bytes)
    else:
        results = readers.read_desk_bytes(row["bytes"], origin=path, max_bytes=max_bytes,
                                          article_id=Path(path).stem)
    out = []
    try:
        for position, item in enumerate(results):
            out.append(article_row(item, base + position))
    except ArticleError as error:  # a whole-file error (unreadable, binary, too large)
        out.append(article_row(error, base + len(out)))
    return out


# -- stage 2: prepare (stateless tasks) ------------------------------------------------------

@lru_cache(maxsize=4)
def _preparer(config_json: str):
    from pipeline.core.config import AppConfig
    from pipeline.ingest.prepare import ArticlePreparer

    return ArticlePreparer(AppConfig.model_validate_json(config_json).ingest)


def prepare_batch(batch: dict[str, Any], *, config_json: str,
                  keep: dict[str, int]) -> dict[str, list]:
    """Clean, language-check and segment the articles of a batch that are to be briefed.

    A stateless task; the preparer (and its language detector) is built once per worker.
    ``keep`` maps each id to brief to the ``order`` of the row that is briefed; other rows
    (read errors, duplicates, outputs already complete) are dropped here.
    """
    preparer = _preparer(config_json)
    rows = []
    for article_id, kind, order, payload in zip(batch["id"], batch["kind"], batch["order"],
                                                batch["payload"], strict=True):
        if kind != "article" or keep.get(article_id) != order:
            continue
        article = article_from_payload(payload)
        started = time.perf_counter()
        try:
            prepared = preparer.prepare(article)
        except ArticleError as error:
            rows.append({"id": article_id, "kind": "error",
                         "payload": json.dumps(error.to_record(), ensure_ascii=False)})
            continue
        rows.append({"id": article_id, "kind": "prepared",
                     "payload": _prepared_payload(prepared, time.perf_counter() - started)})
    return _columns(rows, ("id", "kind", "payload"))


# -- stage 3: brief and write (an actor pool; each actor loads the models once) --------------

class BriefActor:
    """Translate, summarize and write the briefings of a batch of prepared articles.

    The first row of each batch's output also carries the actor's report (``actor``: its
    models' provenance, how long it took to load them, the translator's counters for the
    batch), from which the driver records the run; the other rows carry ``""``.
    """

    def __init__(self, config_json: str, out_dir: str):
        import ray

        from pipeline.briefing.engine import BriefingEngine
        from pipeline.core.config import AppConfig

        config = AppConfig.model_validate_json(config_json)
        self.engine = BriefingEngine(config, window=config.ray.batch_size)
        loading = time.perf_counter()
        self.engine.load_models()
        self.load_seconds = time.perf_counter() - loading
        self.models = self.engine.model_provenance()
        self.reported: dict[str, int] = {}  # the translator's counters already reported
        self.out_dir = Path(out_dir)
        self.node_id = ray.get_runtime_context().get_node_id()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        from pipeline.batch.run import write_briefing

        rows: list[dict[str, Any]] = []
        prepared = []
        for article_id, kind, payload in zip(batch["id"], batch["kind"], batch["payload"],
                                             strict=True):
            if kind == "prepared":
                prepared.append(_prepared_from_payload(payload))
            else:
                rows.append(self._row(article_id, "failed", json.loads(payload)))
        for outcome in self.engine.brief_prepared(prepared):
            if isinstance(outcome, ArticleError):
                rows.append(self._row(outcome.article_id or "", "failed", outcome.to_record()))
                continue
            write_briefing(self.out_dir, outcome)
            # The driver reads the written <id>.json for the digest and the Parquet export.
            rows.append(self._row(outcome.id, "briefed", {"id": outcome.id}))
        if rows:
            rows[0]["actor"] = json.dumps(self._report(), ensure_ascii=False, default=str)
        return _columns(rows, ("id", "status", "record", "node", "actor"))

    def _report(self) -> dict[str, Any]:
        stats = dict(self.engine.translator.stats)
        delta = {key: value - self.reported.get(key, 0) for key, value in stats.items()}
        self.reported = stats
        return {"models": self.models, "load_seconds": round(self.load_seconds, 3),
                "translation_stats": delta}

    def _row(self, article_id: str, status: str, record: dict) -> dict[str, Any]:
        return {"id": article_id, "status": status, "node": self.node_id, "actor": "",
                "record": json.dumps(record, ensure_ascii=False, default=str)}
