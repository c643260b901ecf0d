"""`briefing story`: figures as intervals, who says what, on sample events written for the tests.

tests/data/stories/events.json holds three invented events (two to four invented outlets
each, Dutch with hand-written English translations) and their labels: which figure rows
exist, whether their figures can all be true, who asserts each figure, which sentences
are shared wire copy and which names are spelled two ways.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.core.errors import StoryFormatError
from pipeline.record.briefing import AlignedSentence, Briefing
from pipeline.record.story import Story
from pipeline.story.build import Member, story_figures, story_names, story_units
from pipeline.story.figures import figures_of_sentence
from pipeline.story.quantity import all_compatible, interval_of

DATA = json.loads((Path(__file__).parent / "data" / "stories" / "events.json").read_text("utf-8"))
runner = CliRunner()


def _briefing(article: dict) -> Briefing:
    return Briefing(
        id=article["id"], date="2026-11", source=article["outlet"], url=None,
        title_nl=article["title_nl"], title_en=article["title_en"], summary_sentences=[],
        sentences=[AlignedSentence(s["nl"], s["en"], 0) for s in article["sentences"]],
        source_language="nl", language_confidence=1.0, removed_captions=[], models={},
        summary_info={}, timings={})


def _members(event: dict) -> list[Member]:
    return [Member(_briefing(a), a["outlet"]) for a in event["articles"]]


@pytest.fixture(scope="module")
def nlp():
    from pipeline.story.build import load_parser

    return load_parser()


def _write_event(folder: Path, event: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for article in event["articles"]:
        (folder / f"{article['id']}.json").write_text(
            json.dumps(_briefing(article).to_dict(), ensure_ascii=False), encoding="utf-8")


# -- figures as intervals -----------------------------------------------------------------

@pytest.mark.parametrize("text, low, high", [
    ("fifteen", 15, 15), ("more than ten", 10, None), ("more than a dozen", 12, None),
    ("about 2,500", 2250, 2750), ("dozens", 24, None), ("hundreds", 200, None),
    ("no one", 0, 0), ("at least 25", 25, None), ("up to 25", 0, 25), ("2.5 million", 2500000, 2500000),
    ("tachtig", 80, 80), ("meer dan tien", 10, None), ("geen", 0, 0),
])
def test_a_figure_reads_as_the_interval_of_values_it_allows(text, low, high):
    lang = "nl" if text in ("tachtig", "meer dan tien", "geen") else "en"
    assert interval_of(text, lang).bounds() == (low, high)


def test_open_ends_are_strict_where_the_words_are():
    # "more than ten" excludes ten itself; "at least ten" does not.
    assert not all_compatible([interval_of("more than ten"), interval_of("ten")])
    assert all_compatible([interval_of("at least ten"), interval_of("ten")])
    assert all_compatible([interval_of("fifteen"), interval_of("more than ten"),
                           interval_of("more than a dozen")])
    assert not all_compatible([interval_of("eighty"), interval_of("no one")])
    assert not all_compatible([interval_of("22"), interval_of("fifteen")])


def test_what_a_figure_counts_comes_from_the_parse(nlp):
    doc = nlp("Iranian state television reported that eighty American soldiers were killed.")
    (figure,) = figures_of_sentence(doc, article="a", outlet="O", sentence=0, nl=None)
    assert (figure.thing, figure.key, figure.modifiers) == \
        ("soldier", ("killed", "killed"), ("american",))
    assert figure.who == "Iranian state television"
    doc = nlp("The attack was on the 20th of May.")
    assert figures_of_sentence(doc, article="a", outlet="O", sentence=0, nl=None) == []


# -- the labelled sample events -----------------------------------------------------------

def _norm(who: str | None) -> str | None:
    return None if who is None else who.lower().removeprefix("the ").strip()


def test_disagreement_and_attribution_on_the_labelled_events(nlp):
    tp = fp = fn = 0
    who_right = who_total = 0
    for event in DATA["events"]:
        labels = DATA["labels"][event["event"]]
        members = _members(event)
        rows = story_figures(members, nlp)
        predicted = [({(v.article, v.sentence) for v in r.values}, r.agree) for r in rows]
        labelled = [({tuple(s) for s in row["sentences"]}, row["agree"]) for row in labels["rows"]]
        for places, agree in predicted:
            match = next((a for ls, a in labelled if len(ls & places) >= 2), None)
            if not agree:
                tp, fp = (tp + 1, fp) if match is False else (tp, fp + 1)
        for places, agree in labelled:
            if not agree and not any(not a and len(places & ps) >= 2 for ps, a in predicted):
                fn += 1
        said = {}
        for member in members:
            for i, doc in enumerate(nlp.pipe(s.en for s in member.briefing.sentences)):
                for figure in figures_of_sentence(doc, article=member.briefing.id,
                                                  outlet=member.outlet, sentence=i, nl=None):
                    said.setdefault((figure.article, figure.sentence), figure.who)
        for (article, sentence), who in labels["who"]:
            who_total += 1
            who_right += (article, sentence) in said and _norm(said[(article, sentence)]) == _norm(who)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    assert tp + fn >= 3  # the sample holds disagreements to find
    assert precision >= 0.9 and recall >= 0.9, (tp, fp, fn)
    assert who_right / who_total >= 0.9, (who_right, who_total)


def test_wire_copy_enters_the_story_input_once_with_every_place():
    for event in DATA["events"]:
        members = _members(event)
        units = story_units(members)
        index = {m.briefing.id: n for n, m in enumerate(members)}
        for pair in DATA["labels"][event["event"]]["wire"]:
            places = {(index[a], s) for a, s in pair}
            assert any(places <= set(u.places) for u in units), pair
        # nothing else is merged: every sentence is in exactly one unit
        total = sum(len(m.briefing.sentences) for m in members)
        assert sum(len(u.places) for u in units) == total


def test_names_spelled_two_ways_are_listed_with_their_variants():
    from pipeline.support.claims import SupportChecker

    checker = SupportChecker()
    for event in DATA["events"]:
        names = story_names(_members(event), checker)
        for spellings in DATA["labels"][event["event"]]["variants"]:
            assert any(set(spellings) <= {n.name, *n.variants} for n in names), spellings


# -- story.json ---------------------------------------------------------------------------

def test_story_json_round_trips_and_refuses_unknown_versions(tmp_path):
    _write_event(tmp_path / "in", DATA["events"][0])
    result = runner.invoke(app, ["story", str(tmp_path / "in"), "--no-briefing",
                                 "--out", str(tmp_path / "story.json"), "--format", "json"])
    assert result.exit_code == 1, result.output  # the sample event has a disagreement
    data = json.loads((tmp_path / "story.json").read_text("utf-8"))
    assert data["schema_version"] == 2 and data["disagreements"] >= 1
    story = Story.from_dict(data)
    assert story.to_dict() == data
    assert {a.outlet for a in story.articles} == {a["outlet"] for a in DATA["events"][0]["articles"]}
    row = story.disagreements[0]
    assert {"text", "value", "low", "high", "who", "outlet", "article", "sentence", "en", "nl"} <= \
        set(data["figures"][0]["values"][0])
    assert any(v.nl for v in row.values)
    with pytest.raises(StoryFormatError):
        Story.from_dict({**data, "schema_version": 99})


def _story_sentence(**overrides) -> dict:
    claim = {"text": "Kataib", "label": "ORG", "start": 0, "end": 6, "supported": False,
             "outlets": []}
    return {"text": "Kataib said so.", "evidence": [{"article": "a", "sentence": 2}],
            "outlets": ["NOS"], "support": "unsupported", "claims": [claim],
            "unsupported": [{"text": "Kataib", "label": "ORG"}]} | overrides


def _story_with(sentence: dict, version: int) -> dict:
    return {"schema_version": version, "event": "e1", "articles": [], "briefing": [sentence],
            "figures": [], "names": []}


def test_a_story_sentence_is_the_summary_sentence_type():
    from pipeline.record.sentence import SummarySentence

    story = Story.from_dict(_story_with(_story_sentence(), 2))
    sentence = story.briefing[0]
    assert isinstance(sentence, SummarySentence)  # one type in <id>.json, digest, story
    assert sentence.evidence[0].article == "a" and sentence.claims[0].outlets == []
    assert story.to_dict()["briefing"][0] == _story_sentence()
    # a version-1 story (no "unsupported" under its sentences) is read, the list derived
    old = {k: v for k, v in _story_sentence().items() if k != "unsupported"}
    assert Story.from_dict(_story_with(old, 1)).briefing[0].unsupported[0].text == "Kataib"
    # a mistyped field is an error naming it, never a default
    bad = _story_sentence(claims=[{**_story_sentence()["claims"][0], "supported": "no"}])
    with pytest.raises(StoryFormatError, match=r"briefing\[0\]: claims\[0\]\.supported"):
        Story.from_dict(_story_with(bad, 2))


def test_the_story_text_marks_a_sentence_with_any_claim_to_check():
    from pipeline.story.render_text import story_text

    kataib = {"text": "Kataib", "label": "ORG", "start": 0, "end": 6, "supported": True,
              "outlets": ["NOS"]}
    again = {**kataib, "start": 12, "end": 18, "status": "repeated"}
    sentence = _story_sentence(text="Kataib told Kataib so.", support="partial",
                               claims=[kataib, again],
                               unsupported=[{"text": "Kataib", "label": "ORG"}])
    assert "Kataib told Kataib so. [?]" in story_text(Story.from_dict(_story_with(sentence, 2)))
    clean = _story_sentence(support="supported", claims=[kataib], unsupported=[])
    assert "Kataib said so.  (" in story_text(Story.from_dict(_story_with(clean, 2)))


def test_story_exit_codes_say_what_was_found(tmp_path):
    flood = DATA["events"][1]
    agreeing = {**flood, "articles": [
        {**a, "sentences": [s for i, s in enumerate(a["sentences"]) if i != 2]}
        for a in flood["articles"]]}
    _write_event(tmp_path / "agree", agreeing)
    result = runner.invoke(app, ["story", str(tmp_path / "agree"), "--no-briefing"])
    assert result.exit_code == 0, result.output
    assert "0 disagreement(s)" in result.stdout
    _write_event(tmp_path / "disagree", flood)
    (tmp_path / "disagree" / "broken.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["story", str(tmp_path / "disagree"), "--no-briefing"])
    assert result.exit_code == 2, result.output  # unusable input wins, the rest is still compared
    assert "broken.json" in result.stderr and "DISAGREE" in result.stdout


@pytest.mark.slow
def test_a_story_briefing_is_made_by_the_summarizer_with_evidence_across_articles(
        tmp_path, tiny_model_dirs):
    _, bart = tiny_model_dirs
    _write_event(tmp_path / "in", DATA["events"][0])
    result = runner.invoke(app, ["story", str(tmp_path / "in"), "--summarizer", str(bart),
                                 "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    story = json.loads(result.stdout)
    assert 1 <= len(story["briefing"]) <= 5 and story["briefing_notice"] is None
    ids = {a["id"] for a in DATA["events"][0]["articles"]}
    for sentence in story["briefing"]:
        assert {e["article"] for e in sentence["evidence"]} <= ids
        assert set(sentence["outlets"]) <= {a["outlet"] for a in DATA["events"][0]["articles"]}
        assert all("outlets" in c for c in sentence["claims"])
    assert story["models"]  # which summarizer made it


def test_out_is_checked_before_any_work_and_group_says_what_it_left_out(tmp_path):
    _write_event(tmp_path / "in", DATA["events"][0])
    member = next((tmp_path / "in").glob("*.json"))
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for args, message in [(["--out", str(tmp_path / "in")], "is a directory"),
                          (["--out", str(member)], "is a briefing"),
                          (["--group", "--out", str(tmp_path / "afile")], "is a file")]:
        result = runner.invoke(app, ["story", str(tmp_path / "in"), "--no-briefing", *args])
        assert result.exit_code == 2 and message in result.stderr, result.output
    assert json.loads(member.read_text("utf-8"))["schema_version"] == 2  # not overwritten
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / member.name).write_bytes(member.read_bytes())
    alone = runner.invoke(app, ["story", str(tmp_path / "one"), "--group", "--no-briefing"])
    assert alone.exit_code == 0
    assert "No event of two or more articles among 1 briefing(s)." in alone.stdout
    assert "1 of 1 briefing(s) are in no event" in alone.stderr


def test_a_story_file_is_told_apart_by_content_not_by_name(tmp_path):
    _write_event(tmp_path / "in", DATA["events"][1])
    first = sorted((tmp_path / "in").glob("*.json"))[0]
    first.rename(tmp_path / "in" / "story-like-name.json")  # a briefing, whatever its name
    made = runner.invoke(app, ["story", str(tmp_path / "in"), "--no-briefing",
                               "--out", str(tmp_path / "story-event-1.json")])
    assert made.exit_code == 1, made.output
    (tmp_path / "story-event-1.json").rename(tmp_path / "in" / "story-event-1.json")
    again = runner.invoke(app, ["story", str(tmp_path / "in"), "--no-briefing", "--format",
                                "json"])
    story = json.loads(again.stdout)
    assert len(story["articles"]) == 2 and again.exit_code == 1  # the story file is skipped
    checked = runner.invoke(app, ["check", str(tmp_path / "in"), "--no-spacy", "--format",
                                  "json"])
    assert set(json.loads(checked.stdout)) == {a["id"] for a in DATA["events"][1]["articles"]}


# -- the story briefing's input and cost ----------------------------------------------------

def _summarized(event: dict) -> list[Member]:
    """The event's members as a night leaves them: each with its own briefing (here its
    translation's last sentence first, so the input is told apart from the translation)."""
    members = _members(event)
    for member in members:
        member.briefing.summary_sentences = [s.en for s in member.briefing.sentences[::-1][:2]]
    return members


def test_the_story_input_is_the_members_briefings_by_position_then_outlet():
    from pipeline.story.build import story_input

    members = _summarized(DATA["events"][2])
    by_outlet = sorted(members, key=lambda m: m.outlet)
    expected = [m.briefing.summary_sentences[p] for p in range(2) for m in by_outlet]
    assert story_input(members) == list(dict.fromkeys(expected))
    # A briefing from elsewhere without a summary gives its translation instead.
    members[0].briefing.summary_sentences = []
    texts = story_input(members)
    assert all(s.en in texts for s in members[0].briefing.sentences)
    assert not any(s in texts for s in [x.en for m in members[1:]
                                        for x in m.briefing.sentences[:-2]
                                        if x.en not in m.briefing.summary_sentences])


@pytest.mark.slow
def test_a_night_summarizes_its_stories_once_together_from_the_members_briefings(
        tmp_path, config):
    from pipeline.nightly.stories import NightStories
    from pipeline.story.build import load_summarizer

    summarizer = load_summarizer(config)
    events = [_summarized(DATA["events"][n]) for n in (0, 1)]
    paths, outlets, groups = {}, {}, []
    for number, members in enumerate(events):
        for m in members:
            paths[m.briefing.id] = tmp_path / f"{m.briefing.id}.json"
            paths[m.briefing.id].write_text(json.dumps(m.briefing.to_dict()), encoding="utf-8")
            outlets[m.briefing.id] = m.outlet
        groups.append({"id": f"event-{number + 1}", "articles": [m.briefing.id for m in members]})
    summarizer.backend.reset_counters()
    made = NightStories(tmp_path / "night", lambda: summarizer)(groups, paths, outlets)
    assert sorted(made) == ["event-1", "event-2"] and all(s["briefing"] for s in made.values())
    stats = summarizer.backend.stats
    assert stats["calls"] == 1 and stats["inputs"] == 2  # both stories in one batched call
    # What the summarizer read: the members' briefings, not their translations again.
    from pipeline.story.build import story_input

    windows = [summarizer.plan_chunks(story_input(ms))[0] for ms in events]
    assert stats["source_tokens"] == sum(summarizer.backend.count_tokens(windows))
