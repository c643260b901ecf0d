"""spaCy for entities: only the components NER reads, the same entities, spaCy without torch."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from pipeline.text.entities import DEFAULT_SPACY_MODEL
from tests.conftest import REPO, sample_corpus

pytestmark = pytest.mark.skipif(importlib.util.find_spec(DEFAULT_SPACY_MODEL) is None,
                                reason=f"{DEFAULT_SPACY_MODEL} is not installed")


@pytest.fixture(scope="module")
def english_texts() -> list[str]:
    """The reference translations: English news text with names, places and figures."""
    texts = [t for t in sample_corpus() if t.isascii() or "the " in t]
    assert texts
    return texts


def _entities(nlp, texts):
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]


def test_ner_only_finds_the_same_entities_as_the_whole_pipeline(english_texts):
    from pipeline.text.spacy_pipeline import load_pipeline

    ner = load_pipeline(DEFAULT_SPACY_MODEL, components="ner")
    whole = load_pipeline(DEFAULT_SPACY_MODEL, components="all")
    assert ner.pipe_names == ["ner"]
    assert {"parser", "tagger", "ner"} <= set(whole.pipe_names)  # a parse stays available
    found = _entities(ner, english_texts)
    assert sum(map(len, found)) > 50
    assert found == _entities(whole, english_texts)


def test_the_extractor_loads_only_ner_and_spacy_without_torch():
    code = ("import sys; from pipeline.text.aliases import AliasTable; "
            "from pipeline.text.entities import load_extractor; "
            "extractor, info = load_extractor(AliasTable.load()); "
            "print(info.kind, ','.join(extractor._nlp.pipe_names), 'torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["spacy", "ner", "False"]
