"""The benchmark articles: the real seeds when present, else the project's samples.

Both sides get the same articles. The pipeline reads the files itself; the naive side gets
the sentences the pipeline's own preparation produces, so both translate exactly the same
sentences (the naive side's sentence splitting is not timed, which only favours it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.core.config import IngestConfig
from pipeline.core.errors import ArticleError
from pipeline.ingest.prepare import ArticlePreparer
from pipeline.ingest.readers import read_file


@dataclass(frozen=True)
class BenchArticle:
    """One input article as the naive side sees it."""

    id: str
    path: str
    title: str | None
    sentences: list[str]

    def to_json(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)


def article_paths(seeds_dir: Path, samples_dir: Path) -> tuple[list[Path], str]:
    """The input files and a label saying which set they are."""
    seeds = sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []
    if seeds:
        return seeds, f"seeds ({seeds_dir})"
    return sorted(samples_dir.glob("*.txt")), f"samples ({samples_dir}; no seeds found)"


def load_articles(paths: list[Path]) -> list[BenchArticle]:
    """Read and prepare every article with the pipeline's own reader and preparer.

    Raises:
        ArticleError: an input cannot be used (the benchmark needs every one).
    """
    config = IngestConfig()
    preparer = ArticlePreparer(config)
    articles = []
    for path in paths:
        for item in read_file(path, max_bytes=config.max_article_bytes):
            if isinstance(item, ArticleError):
                raise item
            prepared = preparer.prepare(item)
            articles.append(BenchArticle(
                id=item.id, path=str(path), title=item.title,
                sentences=[s for _, s in prepared.sentences],
            ))
    return articles


def tokenizer_corpus(paths: list[Path], samples_dir: Path) -> list[str]:
    """Text to train fallback tokenizers on: the inputs, the samples and their references."""
    files = list(paths) + sorted(samples_dir.glob("*.txt")) + sorted(
        (samples_dir.parent.parent / "eval" / "translations").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in files]


def distinct_copies(articles: list[BenchArticle], total: int, out_dir: Path) -> list[Path]:
    """``total`` articles from the benchmark's: the originals, then copies of their files in
    which every sentence starts with the copy's number ("(2) ").

    The pipeline translates identical sentences of a window once, so plain repeats would
    measure de-duplication, not batching; the marker makes every sentence distinct at the
    cost of a few source tokens (the translation and summary lengths stay pinned), which
    only makes the larger run's work slightly heavier than the originals'.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.txt"):
        stale.unlink()
    paths = []
    for n in range(total):
        article, copy = articles[n % len(articles)], n // len(articles)
        if copy == 0:
            paths.append(Path(article.path))
            continue
        text, at = Path(article.path).read_text(encoding="utf-8"), 0
        for sentence in article.sentences:  # in order: mark each where it occurs next
            found = text.find(sentence, at)
            if found >= 0:
                text = f"{text[:found]}({copy + 1}) {text[found:]}"
                at = found + len(sentence) + len(str(copy + 1)) + 3
        path = out_dir / f"{n:03d}_{Path(article.path).stem}-{copy}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
