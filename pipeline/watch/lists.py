"""Watchlists from the configuration (``watch:``) and from a shared file (``watch_file:``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from pipeline.core.config import Watchlist
from pipeline.core.errors import ConfigError

# A watchlist file is a short YAML list; anything this large is not one.
MAX_WATCH_FILE_BYTES = 1_000_000
# Terms of all watchlists together. Counted after YAML aliases are expanded: a small file
# whose anchors repeat one long list would otherwise make every article search millions.
MAX_WATCH_TERMS = 5_000


def read_watch_file(path: Path) -> list[Watchlist]:
    """The watchlists in a YAML file: a list of ``{name, terms, aliases}``.

    Raises:
        ConfigError: unreadable, too large, not YAML, or not a list of watchlists (the
            message names the file and the entry).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_WATCH_FILE_BYTES + 1)
    except OSError as err:
        raise ConfigError(f"cannot read the watchlist file {path} "
                          f"({err.strerror or err})") from None
    if len(data) > MAX_WATCH_FILE_BYTES:
        raise ConfigError(f"the watchlist file {path} is larger than "
                          f"{MAX_WATCH_FILE_BYTES} bytes")
    try:
        loaded = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"the watchlist file {path} is not UTF-8 text") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"the watchlist file {path} is not valid YAML{where}") from None
    if isinstance(loaded, dict) and "watch" in loaded:
        loaded = loaded["watch"]
    if not isinstance(loaded, list):
        raise ConfigError(f"the watchlist file {path} must hold a list of watchlists "
                          "({name, terms, aliases})")
    terms = sum(len(item.get("terms") or []) for item in loaded
                if isinstance(item, dict) and isinstance(item.get("terms"), list))
    if len(loaded) > MAX_WATCH_TERMS or terms > MAX_WATCH_TERMS:
        raise ConfigError(f"the watchlist file {path} holds {max(terms, len(loaded))} terms or "
                          f"watchlists; at most {MAX_WATCH_TERMS} are searched")
    try:
        return TypeAdapter(list[Watchlist]).validate_python(loaded)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"the watchlist file {path}: entry {where}: {first['msg']}") from None


def watchlists(config_lists: Sequence[Watchlist], watch_file: Path | None) -> list[Watchlist]:
    """The configuration's watchlists, then the file's; a name given twice is an error.

    Raises:
        ConfigError: the file is unusable, or two watchlists share a name.
    """
    found = list(config_lists) + (read_watch_file(watch_file) if watch_file else [])
    if sum(len(w.terms) for w in found) > MAX_WATCH_TERMS:
        raise ConfigError(f"the watchlists hold more than {MAX_WATCH_TERMS} terms together")
    seen: set[str] = set()
    for item in found:
        if item.name.casefold() in seen:
            raise ConfigError(f"two watchlists are named {item.name!r}")
        seen.add(item.name.casefold())
    return found
