"""`python -m bench story`: its synthetic night and its verdict (no model, nothing timed)."""

from __future__ import annotations

from collections import Counter

from bench.story import SENTENCES, event_sizes, share, story_night, verdict


def test_the_night_has_stories_of_one_to_five_reports_from_different_outlets():
    records, labels = story_night(60, seed=3)
    assert len(records) == len(labels) == 60
    assert len({r["id"] for r in records}) == 60
    sizes = Counter(labels)
    assert set(sizes.values()) <= {1, 2, 3, 4, 5} and len(set(sizes.values())) > 2
    for story in sizes:
        outlets = [r["source"] for r, label in zip(records, labels, strict=True) if label == story]
        assert len(set(outlets)) == len(outlets)
    for record in records:
        assert record["text"].count(".") == SENTENCES and record["title"]
    assert story_night(60, seed=3) == (records, labels)  # seeded: the same night every run


def test_every_third_report_spells_the_names_differently():
    from bench.grouping import _variant

    records, _ = story_night(200, seed=1)
    by_id = {r["id"]: r for r in records}
    thirds = [r for r in records if r["id"].endswith("-r2")]
    assert thirds
    for record in thirds:
        lead = by_id[record["id"][:-1] + "0"]["title"].split()[0]  # the story's first name
        name = record["title"].split()[0]
        assert name == _variant(lead) and name != lead
        assert by_id[record["id"][:-1] + "1"]["title"].split()[0] == lead


def test_the_verdict_holds_the_share_to_fifteen_percent():
    assert share(1.5, 10.0) == 0.15 and verdict(share(1.5, 10.0)) == "PASS"
    assert verdict(share(1.6, 10.0)) == "FAIL"
    assert share(1.0, 0.0) == 0.0
    assert event_sizes([["a"], ["b", "c"], ["d", "e"], ["f", "g", "h"]]) == {1: 1, 2: 2, 3: 1}
