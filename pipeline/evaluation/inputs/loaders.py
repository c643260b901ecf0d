"""Reading the inputs of ``briefing eval``: predictions, references, sources, reference translations.

Every reader returns plain ``{article_id: text}`` style data and raises
:class:`~pipeline.core.errors.EvalInputError` (or its subclass
:class:`~pipeline.core.errors.DuplicateIdError`) with a message naming the
file, and the line for JSONL, when an input cannot be used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.config import IngestConfig
from pipeline.core.errors import (
    ArticleError,
    BriefingFormatError,
    DuplicateIdError,
    EvalInputError,
    JsonInputError,
)
from pipeline.ingest.jsonio import (
    read_json_file,
    read_jsonl_file,
    read_text_file,
    record_id,
    record_limit,
)
from pipeline.ingest.readers import DATE_PREFIX  # the desk format (" date YYYY-MM "), one regex
from pipeline.ingest.walk import walk_article_files
from pipeline.record.briefing import AlignedSentence, Briefing, is_briefing_record
from pipeline.text.sentences import strip_markdown

BASELINE_NAME = "lead-3"
# Bounds as batch's: one text (a reference, a source article) as one article; one JSONL line
# or briefing JSON as a briefing, which carries its article several times.
MAX_TEXT_BYTES = IngestConfig().max_article_bytes
MAX_RECORD_BYTES = record_limit(MAX_TEXT_BYTES)


@dataclass(frozen=True)
class Prediction:
    """One system output: the English briefing, and the English translation when known."""

    text: str
    translation_en: str | None = None


@dataclass
class SystemInput:
    """The predictions of one system.

    Attributes:
        name: system name (file/directory stem, or the ``name=`` prefix).
        path: the input as given.
        kind: ``"batch"`` (a ``briefing batch`` directory), ``"jsonl"`` or ``"baseline"``.
        predictions: ``{id: Prediction}``.
    """

    name: str
    path: str
    kind: str
    predictions: dict[str, Prediction]

    @property
    def baseline(self) -> bool:
        """True for the built-in lead-3 system."""
        return self.kind == "baseline"


@dataclass
class SourceText:
    """The article behind one id: English text and/or Dutch original, with where each came from."""

    en: str | None = None
    nl: str | None = None
    en_origin: str | None = None
    nl_origin: str | None = None


@dataclass
class Sources:
    """All ``--sources`` inputs merged by id (the first input giving a text wins).

    Attributes:
        articles: ``{id: SourceText}``.
        inputs: per input: path, and how many English and Dutch texts it gave.
        ignored: ``(id, "en"|"nl", kept_from, ignored_from)`` for texts given twice.
    """

    articles: dict[str, SourceText] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[tuple[str, str, str, str]] = field(default_factory=list)


def parse_system_spec(spec: str) -> tuple[str, Path]:
    """Split ``name=path`` (or a bare path) into the system name and the path.

    Args:
        spec: a ``--predictions`` value.

    Returns:
        ``(name, path)``; a bare path is named after its stem.

    Raises:
        EvalInputError: empty name or path, or the reserved name ``lead-3``.
    """
    path = Path(spec)
    if "=" in spec and not path.exists():
        name, _, rest = spec.partition("=")
        name, path = name.strip(), Path(rest.strip())
        if not name or not rest.strip():
            raise EvalInputError(f"predictions input {spec!r}: expected PATH or NAME=PATH")
    else:
        name = (path.resolve().name if path.is_dir() else path.stem) or str(path)
    if name == BASELINE_NAME:
        raise EvalInputError(
            f"predictions input {spec!r}: the system name {BASELINE_NAME!r} is reserved for the "
            "built-in baseline; name it with NAME=PATH"
        )
    return name, path


def load_predictions(spec: str) -> SystemInput:
    """Read one ``--predictions`` input.

    Args:
        spec: ``PATH`` or ``NAME=PATH``; PATH is a ``briefing batch`` output directory
            (``<id>.json`` files with ``briefing_en``; other files are ignored) or a
            JSONL file with ``id`` and ``prediction``.

    Returns:
        The system's predictions.

    Raises:
        EvalInputError: missing, unreadable or malformed input, or no briefing in it.
        DuplicateIdError: an id occurs twice.
    """
    name, path = parse_system_spec(spec)
    if path.is_dir():
        predictions = _read_batch_dir(path)
        kind = "batch"
    elif path.is_file():
        texts = read_jsonl(path, "prediction", what="predictions input")
        predictions = {i: Prediction(t) for i, t in texts.items()}
        kind = "jsonl"
    else:
        raise EvalInputError(f"predictions input {path}: no such file or directory")
    if not predictions:
        raise EvalInputError(
            f"predictions input {path}: no briefings found (expected <id>.json files with a "
            "'briefing_en' field, or JSONL lines with 'id' and 'prediction')"
        )
    return SystemInput(name, str(path), kind, predictions)


def _read_batch_dir(path: Path) -> dict[str, Prediction]:
    found: dict[str, Prediction] = {}
    files: dict[str, list[str]] = defaultdict(list)
    for file in _list_dir(path, "predictions input", (".json",)):
        data = _read_json(file, "predictions input")
        if not is_briefing_record(data):
            continue  # run.json and other non-article files
        briefing = _briefing(data, file, "predictions input")
        # A record without translation_en (a hand-made one) has no translation to score;
        # an empty one is a translation that scored zero.
        translation = briefing.translation_en if "translation_en" in data or data.get(
            "sentences") else None
        _check_text_size(briefing.briefing_en, f"predictions input {file}: the briefing")
        files[briefing.id].append(file.name)
        found[briefing.id] = Prediction(briefing.briefing_en, translation)
    _check_duplicates(str(path), files)
    return found


def _briefing(data: dict[str, Any], file: Path, what: str) -> Briefing:
    """The briefing in one ``<id>.json``, read by :meth:`Briefing.from_dict`; the file
    stem is its id when the record has none."""
    try:
        return Briefing.from_dict({"id": file.stem, **data}, origin=f"{what} {file}")
    except BriefingFormatError as err:  # names the file and the field
        raise EvalInputError(str(err)) from err


def load_references(path: Path) -> dict[str, str]:
    """Read ``--references``: JSONL with ``id`` and ``reference``, or a directory of
    ``<id>.txt`` / ``<id>.md`` files (Markdown list and heading markers are removed).

    Args:
        path: the input.

    Returns:
        ``{id: reference text}``.

    Raises:
        EvalInputError: missing, unreadable, malformed or empty input, or an empty reference.
        DuplicateIdError: an id occurs twice (``a.txt`` and ``a.md`` included).
    """
    if path.is_dir():
        texts = {
            i: strip_markdown(t) if f.suffix == ".md" else t
            for i, (t, f) in read_text_dir(path, (".txt", ".md"), "references input").items()
        }
    elif path.is_file():
        texts = read_jsonl(path, "reference", what="references input")
    else:
        raise EvalInputError(f"references input {path}: no such file or directory")
    if not texts:
        raise EvalInputError(f"references input {path}: no references found (.txt/.md files or JSONL)")
    empty = sorted(i for i, t in texts.items() if not t.strip())
    if empty:
        raise EvalInputError(f"references input {path}: empty reference for id(s) {', '.join(empty)}")
    return texts


def load_reference_translations(path: Path) -> dict[str, str]:
    """Read ``--reference-translations``: a directory of ``<id>.txt`` or JSONL with
    ``id`` and ``translation``.

    Raises:
        EvalInputError, DuplicateIdError: as :func:`load_references`.
    """
    what = "reference translations input"
    if path.is_dir():
        texts = {i: t for i, (t, _) in read_text_dir(path, (".txt",), what).items()}
    elif path.is_file():
        texts = read_jsonl(path, "translation", what=what)
    else:
        raise EvalInputError(f"{what} {path}: no such file or directory")
    if not texts:
        raise EvalInputError(f"{what} {path}: no translations found (.txt files or JSONL)")
    return texts


def load_sources(paths: list[Path]) -> Sources:
    """Read and merge every ``--sources`` directory.

    A directory may hold ``briefing batch`` output (``<id>.json``: English from
    ``translation_en``, Dutch from ``sentences[].nl``), Dutch articles in the desk's
    format (``<id>.txt`` starting with `` date YYYY-MM ``) and English texts
    (``<id>.txt`` without that prefix). For an id given by several inputs, the first
    input's text wins and the others are recorded in :attr:`Sources.ignored`.

    Args:
        paths: the directories, in command-line order.

    Returns:
        The merged sources.

    Raises:
        EvalInputError: a path is not a directory, or a file is unreadable.
        DuplicateIdError: one input gives two English (or two Dutch) texts for an id.
    """
    merged = Sources()
    for path in paths:
        if not path.is_dir():
            raise EvalInputError(f"sources input {path}: not a directory")
        texts = _read_source_dir(path)
        merged.inputs.append({
            "path": str(path),
            "english_texts": sum(1 for t in texts.values() if t.en is not None),
            "dutch_texts": sum(1 for t in texts.values() if t.nl is not None),
        })
        for article_id, text in sorted(texts.items()):
            target = merged.articles.setdefault(article_id, SourceText())
            for lang in ("en", "nl"):
                value, origin = getattr(text, lang), getattr(text, f"{lang}_origin")
                if value is None:
                    continue
                if getattr(target, lang) is None:
                    setattr(target, lang, value)
                    setattr(target, f"{lang}_origin", origin)
                else:
                    merged.ignored.append((article_id, lang, getattr(target, f"{lang}_origin"),
                                           origin))
    return merged


def _read_source_dir(path: Path) -> dict[str, SourceText]:
    texts: dict[str, SourceText] = {}
    seen: dict[str, list[str]] = defaultdict(list)
    for file in _list_dir(path, "sources input", (".json", ".txt")):
        if file.suffix == ".json":
            data = _read_json(file, "sources input")
            if not isinstance(data, dict) or not ("translation_en" in data or "sentences" in data):
                continue
            briefing = _briefing(data, file, "sources input")
            article_id = briefing.id
            en = briefing.translation_en
            nl = _dutch_from_sentences(briefing.sentences)
        else:
            article_id = file.stem
            raw = _read_text(file, "sources input")
            match = DATE_PREFIX.match(raw)
            en, nl = (None, raw[match.end():]) if match else (raw, None)
        entry = texts.setdefault(article_id, SourceText())
        for lang, value in (("en", en), ("nl", nl)):
            if value is not None and value.strip():
                seen[f"{article_id}\0{lang}"].append(file.name)
                setattr(entry, lang, value)
                setattr(entry, f"{lang}_origin", str(file))
    dupes = {k.split("\0")[0]: v for k, v in seen.items() if len(v) > 1}
    _check_duplicates(str(path), {k: v for k, v in dupes.items()})
    return {i: t for i, t in texts.items() if t.en is not None or t.nl is not None}


def _dutch_from_sentences(sentences: list[AlignedSentence]) -> str | None:
    paragraphs: dict[int, list[str]] = defaultdict(list)
    for sentence in sentences:
        if sentence.nl is not None:
            paragraphs[sentence.paragraph].append(sentence.nl.strip())
    if not paragraphs:
        return None
    return "\n\n".join(" ".join(paragraphs[k]) for k in sorted(paragraphs))


# -- generic readers ------------------------------------------------------------------

def read_jsonl(path: Path, field_name: str, *, what: str) -> dict[str, str]:
    """Read JSONL with ``id`` and a text field.

    Args:
        path: the file.
        field_name: the text field (``prediction``, ``reference``, ``translation``).
        what: what the input is (e.g. "predictions input"), for messages.

    Returns:
        ``{id: text}`` (ids as strings).

    Raises:
        EvalInputError: unreadable file, invalid JSON, missing or non-string fields.
        DuplicateIdError: an id occurs on two lines.
    """
    found: dict[str, str] = {}
    lines: dict[str, list[str]] = defaultdict(list)
    try:
        _read_jsonl_records(path, field_name, what, found, lines)
    except OSError as err:
        raise EvalInputError(f"{what} {path}: cannot read ({err.strerror or err})") from err
    _check_duplicates(str(path), lines)
    return found


def _read_jsonl_records(path: Path, field_name: str, what: str, found: dict[str, str],
                        lines: dict[str, list[str]]) -> None:
    for lineno, record in read_jsonl_file(path, max_bytes=MAX_RECORD_BYTES):
        where = f"{what} {path}:{lineno}" if lineno else f"{what} {path}"
        if isinstance(record, JsonInputError):
            raise EvalInputError(f"{where}: {record.detail}") from record
        if not isinstance(record, dict) or "id" not in record or field_name not in record:
            raise EvalInputError(f"{where}: expected a JSON object with 'id' and '{field_name}'")
        if not isinstance(record[field_name], str):
            raise EvalInputError(f"{where}: '{field_name}' must be a string")
        _check_text_size(record[field_name], f"{where}: '{field_name}'")
        article_id = _as_id(record["id"], where)
        lines[article_id].append(f"line {lineno}")
        found[article_id] = record[field_name]


def _check_text_size(text: str, where: str) -> None:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise EvalInputError(f"{where}: {size:,} bytes is over the {MAX_TEXT_BYTES:,}-byte "
                             "limit for one text")


def read_text_dir(path: Path, suffixes: tuple[str, ...], what: str) -> dict[str, tuple[str, Path]]:
    """Read ``<id><suffix>`` files of a directory.

    Returns:
        ``{id: (text, file)}``.

    Raises:
        EvalInputError: a file is unreadable or not UTF-8.
        DuplicateIdError: two files share a stem (``a.txt`` and ``a.md``).
    """
    found: dict[str, tuple[str, Path]] = {}
    files: dict[str, list[str]] = defaultdict(list)
    for file in _list_dir(path, what, suffixes):
        files[file.stem].append(file.name)
        found[file.stem] = (_read_text(file, what), file)
    _check_duplicates(str(path), files)
    return found


def _list_dir(path: Path, what: str, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of ``path`` with one of ``suffixes``, sorted by name, found by the batch's
    folder walk (``pipeline.ingest.walk``: no FIFO opened, no link out of the folder followed).

    Raises:
        EvalInputError: the folder cannot be listed, or holds a file the walk refuses.
    """
    found = walk_article_files(path, suffixes, recursive=False)
    for item in found:
        if isinstance(item, ArticleError):
            raise EvalInputError(f"{what} {item}")
    return sorted(found, key=lambda p: p.name)


def _read_text(path: Path, what: str) -> str:
    try:
        return read_text_file(path, max_bytes=MAX_TEXT_BYTES)
    except JsonInputError as err:
        raise EvalInputError(f"{what} {path}: {err.detail}") from err
    except OSError as err:
        raise EvalInputError(f"{what} {path}: cannot read ({err.strerror})") from err


def _read_json(path: Path, what: str) -> Any:
    try:
        return read_json_file(path, max_bytes=MAX_RECORD_BYTES)
    except JsonInputError as err:
        raise EvalInputError(f"{what} {path}: not usable JSON ({err.detail})") from err
    except OSError as err:
        raise EvalInputError(f"{what} {path}: cannot read ({err.strerror})") from err


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]


def _as_id(value: Any, where: str) -> str:
    article_id = record_id(value)
    if article_id is None:
        raise EvalInputError(f"{where}: 'id' must be a non-empty string or a whole number, "
                             f"got {value!r:.40}")
    return article_id


def _check_duplicates(source: str, occurrences: dict[str, list[str]]) -> None:
    dupes = [i for i, where in occurrences.items() if len(where) > 1]
    if dupes:
        raise DuplicateIdError(source, dupes)
