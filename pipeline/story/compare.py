"""Rows of figures about the same thing, whether they can all be true, and names per outlet.

A row holds the figures with the same counted thing and event. Narrowing modifiers split
rows ("American soldiers killed" is not "Iraqi soldiers killed"); a figure without one
("no one was killed") joins the row when there is exactly one narrower row to join, since
it is then about the same people. A row **agrees** when one value satisfies every
figure's interval, and **disagrees** when none does (80 killed against no one killed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.story.figures import Figure
from pipeline.story.quantity import all_compatible


@dataclass
class FigureRow:
    """Figures about one thing, from two or more sources or articles."""

    what: str
    figures: list[Figure]

    @property
    def agree(self) -> bool:
        """True when all the figures can be true together."""
        return all_compatible([f.interval for f in self.figures])


def figure_rows(figures: Sequence[Figure]) -> list[FigureRow]:
    """The comparable rows: figures about the same thing from more than one article or source.

    Rows keep the order of their first figure; within a row, figures keep story order.
    """
    by_key: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for figure in figures:
        by_key[figure.key].append(figure)
    rows: list[FigureRow] = []
    for group in by_key.values():
        narrow: dict[tuple[str, ...], list[Figure]] = defaultdict(list)
        for figure in group:
            narrow[figure.modifiers].append(figure)
        general = narrow.pop((), [])
        if len(narrow) == 1 and general:
            only = next(iter(narrow))
            narrow[only] = sorted(narrow[only] + general, key=_order(figures))
        elif general:
            narrow[()] = general
        for members in narrow.values():
            sources = {(f.article, f.who) for f in members}
            if len(members) >= 2 and len(sources) >= 2:
                rows.append(FigureRow(_label(members), members))
    rows.sort(key=lambda row: _order(figures)(row.figures[0]))
    return rows


def _order(figures: Sequence[Figure]):
    position = {id(f): i for i, f in enumerate(figures)}
    return lambda f: position.get(id(f), len(position))


def _label(members: Sequence[Figure]) -> str:
    """The most specific reading of the row: a label with its modifiers, else the longest."""
    narrow = [f.label for f in members if f.modifiers]
    labels = narrow or [f.label for f in members]
    return max(labels, key=lambda label: (labels.count(label), len(label)))


@dataclass
class NameRow:
    """A name and the outlets that report it, with its other spellings."""

    name: str
    outlets: list[str]
    variants: list[str] = field(default_factory=list)


def name_rows(names_by_outlet: dict[str, Sequence[str]], variants: dict[str, str]) -> list[NameRow]:
    """Names only one outlet reports (when several report the event) and names spelled
    differently across outlets.

    Args:
        names_by_outlet: outlet -> the names its articles contain (canonical forms).
        variants: spelling variant -> representative (the nightly grouping's merging).
    """
    outlets_of: dict[str, set[str]] = defaultdict(set)
    spellings: dict[str, set[str]] = defaultdict(set)
    for outlet, names in names_by_outlet.items():
        for name in names:
            canonical = variants.get(name, name)
            outlets_of[canonical].add(outlet)
            spellings[canonical].add(name)
    several = len(names_by_outlet) > 1
    rows = []
    for name in sorted(outlets_of):
        others = sorted(spellings[name] - {name})
        if others or (several and len(outlets_of[name]) == 1):
            rows.append(NameRow(name, sorted(outlets_of[name]), others))
    return rows
