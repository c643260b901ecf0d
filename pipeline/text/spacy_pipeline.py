"""Loading a spaCy pipeline with only the components a caller needs, and spaCy without torch.

Entity extraction needs ``ner`` alone: in the small English pipelines it embeds the text
itself (its own ``Tok2Vec``; the tagger and parser listen to the shared ``tok2vec``), and
the ``attribute_ruler`` sets POS, tags and lemmas, none of which ``ner`` reads (it embeds
NORM, PREFIX, SUFFIX and SHAPE). Loading only ``ner`` gives the same entities in a fraction
of the time and memory. Callers that need more (a dependency parse) ask for
``components="all"``.

spaCy's thinc imports torch when it is installed (``thinc.compat``), seconds spent for a
pipeline that never runs it. A pipeline package that does not depend on a torch-based
package is imported with torch kept out; one that does (``*_trf``) imports spaCy as usual.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from pathlib import Path
from typing import Any

# Factories whose output ``ner`` never reads: dropped when only entities are needed.
_NOT_FOR_NER = frozenset({"tok2vec", "tagger", "parser", "senter", "attribute_ruler",
                          "lemmatizer", "trainable_lemmatizer", "morphologizer",
                          "textcat", "textcat_multilabel"})
# Requirements of a pipeline package that mean it runs torch.
_TORCH_PACKAGES = re.compile(r"^(torch|spacy[-_]transformers|spacy[-_]curated[-_]transformers)\b",
                             re.IGNORECASE)


def load_pipeline(name: str, *, components: str = "ner") -> Any:
    """Load the spaCy pipeline ``name``.

    Args:
        name: an installed pipeline package or a pipeline directory.
        components: ``"ner"``: only the entity recognizer and what it reads;
            ``"all"``: the whole pipeline as packaged.

    Raises:
        ImportError, OSError, ValueError: spaCy or the pipeline cannot be loaded.
    """
    spacy = import_spacy(torch_free=not _needs_torch(name))
    exclude = _not_needed_for_ner(spacy, name) if components == "ner" else []
    return spacy.load(name, exclude=exclude)


def import_spacy(*, torch_free: bool = True):
    """``import spacy``; with ``torch_free``, thinc does not import torch (unless torch or
    spaCy is already imported: then this is a plain import)."""
    if not torch_free or "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


def _needs_torch(name: str) -> bool:
    """Whether the pipeline package depends on torch (a directory: assume it may)."""
    try:
        requires = importlib.metadata.requires(name) or []
    except importlib.metadata.PackageNotFoundError:
        return True
    return any(_TORCH_PACKAGES.match(r.strip()) for r in requires)


def _not_needed_for_ner(spacy, name: str) -> list[str]:
    """The components of ``name`` that ``ner`` does not read; none when in doubt."""
    try:
        root = spacy.util.get_package_path(name) if spacy.util.is_package(name) else Path(name)
        found = [p for p in [root / "config.cfg", *sorted(root.glob("*/config.cfg"))]
                 if p.is_file()]
        config = spacy.util.load_config(found[0], interpolate=False)
        pipeline = list(config["nlp"]["pipeline"])
        factories = {c: config["components"][c].get("factory") for c in pipeline}
        tok2vec = config["components"]["ner"]["model"].get("tok2vec", {})
    except (IndexError, KeyError, OSError, ValueError, TypeError, AttributeError):
        return []
    if "ner" not in pipeline:
        return []
    keep = {"ner"}
    if "Listener" in str(tok2vec.get("@architectures", "")):  # ner reads a shared embedding
        upstream = tok2vec.get("upstream", "*")
        keep |= set(pipeline) if upstream == "*" else {upstream}
    return [c for c in pipeline if c not in keep and factories[c] in _NOT_FOR_NER]
