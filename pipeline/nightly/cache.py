"""A persistent sentence translation cache in the state database.

Keys come from :meth:`pipeline.translate.translator.Translator.cache_key`, which already hashes the
model identity, revision and decoding settings with the text: a new model or new settings
never reuse old translations. The same sentence arriving from two outlets (wire copy), or
again in a changed article, is translated once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.nightly.state import TranslationRow, utcnow

_CHUNK = 500


class SqlTranslationCache:
    """Implements :class:`pipeline.translate.translator.TranslationCache` on a SQL table.

    Writes commit at once: translations paid for before a crash are kept. Only one nightly
    run writes at a time (see :mod:`pipeline.nightly.lock`), so "insert what is missing" needs
    no upsert dialect.

    Args:
        engine: the state database's engine (tables created by ``StateStore.open``).
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among ``keys``."""
        unique = sorted(set(keys))
        found: dict[str, str] = {}
        with Session(self.engine) as session:
            for i in range(0, len(unique), _CHUNK):
                rows = session.execute(select(TranslationRow.key, TranslationRow.text)
                                       .where(TranslationRow.key.in_(unique[i:i + _CHUNK])))
                found.update({key: text for key, text in rows})
        return found

    def put_many(self, items: dict[str, str]) -> None:
        """Store translations (keys already present are left as they are)."""
        if not items:
            return
        present = self.get_many(list(items))
        now = utcnow()
        with Session(self.engine) as session, session.begin():
            session.add_all(TranslationRow(key=key, text=text, created_at=now)
                            for key, text in items.items() if key not in present)

    def __len__(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(TranslationRow)) or 0
