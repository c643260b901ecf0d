"""What the benchmark measures, fixed in one place and recorded in its JSON."""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@dataclass(frozen=True)
class BenchSettings:
    """Inputs and decoding lengths shared by both sides.

    Random weights make generation lengths arbitrary, so every output is pinned to a fixed
    length (min = max new tokens) on both sides. 28 new tokens per sentence is the seeds'
    mean Marian source length (27.7 tokens): realistic, and it keeps each translated seed
    article under DistilBART's 1,024-token limit, so both sides summarize each article in
    one call on the same input (the pipeline would map-reduce a longer one, the naive
    recipe would truncate it, and they would no longer do the same work).
    """

    translation_new_tokens: int = 28
    summary_new_tokens: int = 60
    seed: int = 0
    out_dir: Path = REPO / "out" / "bench"
    shared_dir: Path = SHARED
    samples_dir: Path = REPO / "samples" / "articles"
    # Fidelity: the tiny model trained in-process (see bench.fidelity).
    fidelity_steps: int = 300
    notes: list[str] = field(default_factory=list)

    @property
    def shared_models(self) -> Path:
        """The real configs and tokenizers of the default models (no weights)."""
        return self.shared_dir / "models"

    @property
    def seeds_dir(self) -> Path:
        """Real Dutch articles, used as input when present."""
        return self.shared_dir / "seeds"

    def to_json(self) -> dict:
        """The settings as recorded in bench.json."""
        data = asdict(self)
        return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


def add_location_args(parser: argparse.ArgumentParser) -> None:
    """``--out`` and ``--shared``, the options every benchmark command takes."""
    parser.add_argument("--out", type=Path, default=None, help="output folder (out/bench)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="the shared folder with models/ and seeds/ (../shared)")


def settings_from(args: argparse.Namespace) -> BenchSettings:
    """The settings with ``--out`` / ``--shared`` applied; the output folder exists."""
    settings = BenchSettings()
    if args.out is not None:
        settings = replace(settings, out_dir=args.out)
    if args.shared is not None:
        settings = replace(settings, shared_dir=args.shared)
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    return settings
