"""bench factuality: the baseline's definition, FRANK's label, and skipping without FRANK."""

from __future__ import annotations

import json

import pytest

from bench.factuality import FRANK, LABELS, baseline_words, is_positive, main, scores

ARTICLE = ("Anna Visser, 23, scored twice for Feyenoord on Sunday. The club's chairman said "
           "the 2,500 fans had been superb. Visser’s goals came in 14 minutes.")


def test_the_baseline_flags_capitalised_words_and_numbers_the_article_lacks():
    assert baseline_words("Anna Visser scored twice for Ajax on 3 May.", ARTICLE) == \
        ["Ajax", "May", "3"]
    # The first word counts as found in lower case; a possessive 's is stripped.
    assert baseline_words("The chairman praised Visser's 2,500 fans.", ARTICLE) == []


def test_the_label_is_an_entity_or_out_of_article_error():
    assert is_positive({"EntE": "0.5", "OutE": "1.0"})
    assert is_positive({"EntE": "1.0", "OutE": "0.0"})
    assert not is_positive({"EntE": "1.0", "OutE": "1.0", "CircE": "0.5"})


def test_the_wider_label_also_counts_wrong_figures_times_and_places():
    wrong_figure = {"EntE": "1.0", "OutE": "1.0", "CircE": "0.5"}
    assert is_positive(wrong_figure, LABELS["names and figures"])
    assert not is_positive({"EntE": "1.0", "OutE": "1.0", "CircE": "1.0", "RelE": "0.0"},
                           LABELS["names and figures"])


def test_scores_count_precision_recall_and_f1():
    result = scores([(True, True), (True, False), (False, True), (False, False)])
    assert result["precision"]["value"] == 0.5 and result["recall"]["value"] == 0.5
    assert result["f1"]["value"] == 0.5 and result["n"] == 4


def test_skips_in_one_sentence_without_frank(tmp_path, capsys):
    assert main(["--frank", str(tmp_path / "absent"), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("bench factuality: skipped") and "\n" not in out


@pytest.mark.shared
@pytest.mark.skipif(not (FRANK / "frank_labels.jsonl.gz").is_file(),
                    reason="../shared/factuality/frank is absent")
def test_runs_briefing_checks_path_on_a_few_frank_summaries(tmp_path, capsys):
    assert main(["--sets", "xsum", "--limit", "5", "--no-spacy", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "factuality.json").read_text("utf-8"))
    row = report["sets"]["xsum"]["rows"][0]
    assert row["checker"]["n"] == 5 and row["baseline"]["n"] == 5
    wide = report["sets"]["xsum"]["rows_names_and_figures"][0]
    from bench.factuality import SETS, read_gzip_jsonl

    labels = {r["id"]: r for r in read_gzip_jsonl(FRANK / "frank_labels.jsonl.gz")}
    first = [r["id"] for r in read_gzip_jsonl(FRANK / SETS["xsum"].format(casing="truecased"))
             if r["id"] in labels][:5]
    assert wide["checker"]["positive"] == sum(
        is_positive(labels[i], LABELS["names and figures"]) for i in first)
    assert row["checker"]["positive"] == sum(is_positive(labels[i]) for i in first)
    assert "| set |" in capsys.readouterr().out
