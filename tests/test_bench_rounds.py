"""The benchmark's larger input and its alternating rounds (bench/inputs.py, bench/report.py)."""

from __future__ import annotations

from bench.inputs import BenchArticle, distinct_copies, load_articles
from bench.report import median_run


def test_copies_keep_the_sentences_but_none_repeats(tmp_path):
    """The pipeline translates identical sentences of a window once: every copy's sentences
    must differ from the originals', and the pipeline must split them the same way."""
    texts = ["De dijk bij Kruiningen is bezweken. Rijkswaterstaat evacueerde 1.200 bewoners.\n\n"
             "Het water steeg de hele nacht. De burgemeester sprak van een ramp.\n",
             "Het kabinet presenteerde dinsdag de begroting. De oppositie reageerde kritisch.\n",
             "In Utrecht opende een nieuw station. Reizigers waren tevreden.\n\n"
             "De bouw duurde vier jaar.\n"]
    for n, text in enumerate(texts):
        (tmp_path / f"{n}.txt").write_text(text, encoding="utf-8")
    originals = load_articles([tmp_path / f"{n}.txt" for n in range(3)])
    paths = distinct_copies(originals, 8, tmp_path / "copies")

    copies = load_articles(paths)
    assert len(copies) == 8
    assert [len(a.sentences) for a in copies] == \
        [len(originals[n % 3].sentences) for n in range(8)]
    every = [s for a in copies for s in a.sentences]
    assert len(set(every)) == len(every)
    assert copies[4].sentences[0].endswith(originals[1].sentences[0])


def test_the_median_run_is_reported():
    def run(minutes: float) -> dict:
        return {"articles": 5, "work_s": 60 * 5 / minutes, "source_tokens": 100,
                "translate_s": 1.0, "summarize_s": 1.0, "load_s": 1.0, "peak_rss_mb": 1.0}

    runs = [run(9.0), run(12.0), run(10.0)]
    assert median_run(runs) is runs[2]
    assert median_run(runs[:2]) is runs[0]  # even count: the slower middle one


def test_the_article_list_is_built_from_bench_articles(tmp_path):
    (tmp_path / "a.txt").write_text("Een zin. Nog een zin.\n\nDerde zin.\n", encoding="utf-8")
    article = BenchArticle(id="a", path=str(tmp_path / "a.txt"), title=None,
                           sentences=["Een zin.", "Nog een zin.", "Derde zin."])
    paths = distinct_copies([article], 2, tmp_path / "out")
    assert paths[0] == tmp_path / "a.txt"
    assert paths[1].read_text(encoding="utf-8") == \
        "(2) Een zin. (2) Nog een zin.\n\n(2) Derde zin.\n"
