"""The alias table: names that denote the same entity (``US`` = ``VS`` = ``United States``).

File format (``data/aliases.tsv`` and every ``--aliases FILE``): UTF-8 text, one entity
per line, its names separated by TABs, the first name being the canonical one.
Lines starting with ``#`` and blank lines are ignored. Names are compared after
:func:`pipeline.text.normalize.mention_tokens` (diacritics, possessives, acronym
dots and a leading "the" do not matter). Rows sharing a name are merged, so a user
file can extend a built-in row by repeating one of its names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline.core.errors import EvalInputError
from pipeline.text.normalize import fold, mention_tokens, name_tokens

BUILTIN_NAME = "builtin:pipeline/text/data/aliases.tsv"


@dataclass(frozen=True)
class AliasFile:
    """Provenance of one loaded alias file (recorded in report.json)."""

    path: str
    sha256: str
    rows: int


class AliasTable:
    """Groups of equivalent names, merged across rows and files.

    Build it with :meth:`load` (built-in table plus user files).
    """

    def __init__(self) -> None:
        self._parent: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._forms: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self._first: dict[tuple[str, ...], str] = {}
        self.files: list[AliasFile] = []

    # -- building -------------------------------------------------------------
    @classmethod
    def load(cls, paths: Sequence[Path] = (), *, builtin: bool = True) -> AliasTable:
        """Load the built-in table (unless ``builtin=False``) and then each user file.

        Args:
            paths: user alias files in the documented format.
            builtin: include ``pipeline/text/data/aliases.tsv``.

        Returns:
            The merged table, with :attr:`files` recording path, sha256 and row count.

        Raises:
            EvalInputError: a file is missing, not UTF-8, or has a row with one name.
        """
        table = cls()
        if builtin:
            try:
                data = resources.files("pipeline.text").joinpath("data/aliases.tsv").read_bytes()
            except OSError as err:
                raise EvalInputError(
                    "the built-in alias table pipeline/text/data/aliases.tsv is missing "
                    "from the installed package; reinstall briefing") from err
            table._add_file(BUILTIN_NAME, data)
        for path in paths:
            try:
                data = Path(path).read_bytes()
            except OSError as err:
                raise EvalInputError(f"cannot read alias file {path}: {err.strerror}") from err
            table._add_file(str(path), data)
        return table

    def _add_file(self, name: str, data: bytes) -> None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise EvalInputError(f"alias file {name} is not UTF-8 text") from err
        rows = 0
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            names = [cell.strip() for cell in line.split("\t") if cell.strip()]
            if len(names) < 2:
                raise EvalInputError(
                    f"{name}:{lineno}: an alias row needs two or more names separated by TABs, "
                    f"got {line.strip()!r}"
                )
            self._add_row(names)
            rows += 1
        self.files.append(AliasFile(name, hashlib.sha256(data).hexdigest(), rows))

    def _find(self, key: tuple[str, ...]) -> tuple[str, ...]:
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:  # path compression
            self._parent[key], key = root, self._parent[key]
        return root

    def _add_row(self, names: Sequence[str]) -> None:
        # Keys drop a leading "the"; forms keep it, so that "the States" is looked for as
        # written and not as a bare "States" (which "Gulf States" contains).
        keyed = [(fold(mention_tokens(n)), tuple(name_tokens(n))) for n in names]
        keyed = [(k, t) for k, t in keyed if k]
        if not keyed:
            return
        for key, tokens in keyed:
            if key not in self._parent:
                self._parent[key] = key
                self._forms[key] = [tokens]
                self._first[key] = names[0]
            elif tokens not in self._forms[self._find(key)]:
                self._forms[self._find(key)].append(tokens)
        head = self._find(keyed[0][0])
        for key, _ in keyed[1:]:
            root = self._find(key)
            if root != head:  # merge rows that share a name; the earlier row stays canonical
                self._parent[root] = head
                self._forms[head].extend(f for f in self._forms.pop(root) if f not in self._forms[head])

    # -- queries --------------------------------------------------------------
    def canonical(self, tokens: Sequence[str]) -> str | None:
        """The canonical name of the group holding this mention, or None when not listed.

        Args:
            tokens: mention tokens (see :func:`mention_tokens`).
        """
        key = fold(tokens)
        if key not in self._parent:
            return None
        return self._first[self._find(key)]

    def forms(self, tokens: Sequence[str]) -> list[tuple[str, ...]]:
        """Every listed way of writing the entity of this mention, as written in the table.

        Args:
            tokens: mention tokens.

        Returns:
            Case-preserving token tuples; empty when the mention is not listed.
        """
        key = fold(tokens)
        if key not in self._parent:
            return []
        return list(self._forms[self._find(key)])

    def all_forms(self) -> list[tuple[str, ...]]:
        """Every name in the table (case-preserving tokens), longest first, then alphabetical."""
        forms = [f for group in self._forms.values() for f in group]
        return sorted(set(forms), key=lambda f: (-len(f), f))

    def __len__(self) -> int:
        return len(self._forms)
