"""Data for the browser test: a small synthetic archive (readable text, three nights) written
as the nightly job writes it: per-article briefing JSON and each night's digest.json/html. For
the browser test and the screenshots in docs/archive.md; the structure tests use real runs on the tiny
models instead."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.core.config import Watchlist
from pipeline.nightly.render_html import render_html
from pipeline.nightly.stories import NightStories
from pipeline.watch.match import WatchMatcher
from tests.helpers.records import claim, summary_sentence, support_totals

MODELS = {
    "translator": {"id": "Helsinki-NLP/opus-mt-nl-en", "revision": "main",
                   "backend": "ctranslate2"},
    "summarizer": {"id": "sshleifer/distilbart-cnn-12-6", "revision": "main",
                   "backend": "transformers"},
}

# (night, id, outlet, url, title_en, [(nl, en, paragraph)], summary, captions, support)
ARTICLES = [
    ("2025-03-14", "dike-breach-ha", "Haven Dagblad", "https://haven.example/dike",
     "Dike breach near Kruisdorp forces evacuation of 1,200 residents",
     [("Bij Kruisdorp is zondagochtend een dijk doorgebroken.",
       "A dike broke near Kruisdorp on Sunday morning.", 0),
      ("Ongeveer 1.200 bewoners zijn geëvacueerd naar sporthallen in de omgeving.",
       "About 1,200 residents have been evacuated to sports halls in the area.", 0),
      ("Het waterschap spreekt van een ernstige situatie.",
       "The water board speaks of a serious situation.", 1),
      ("Volgens dijkgraaf Marieke Zandstra was de dijk al jaren verzwakt.",
       "According to dike warden Marieke Zandstra, the dike had been weakened for years.", 1),
      ("Er raakte niemand gewond, aldus de politie.", "No one was injured, the police said.", 1)],
     ["A dike broke near Kruisdorp on Sunday morning.",
      "About 1,200 residents have been evacuated to sports halls.",
      "The dike had been weakened for years, dike warden Marieke Zandvoort says."],
     ["Reddingswerkers bij de dijk. Beeld ANP"], ["supported", "supported", "partial"]),
    ("2025-03-14", "dike-breach-kr", "Kustkrant", None,
     "Kruisdorp evacuated after sea dike gives way",
     [("De zeedijk bij Kruisdorp is bezweken na dagen van storm.",
       "The sea dike near Kruisdorp gave way after days of storm.", 0),
      ("Zo'n 1.200 inwoners moesten hun huis verlaten.",
       "Some 1,200 inhabitants had to leave their homes.", 0),
      ("Dijkgraaf Zandstra vraagt om geduld.", "Dike warden Zandstra asks for patience.", 1),
      ("Volgens de brandweer raakten twee mensen gewond.",
       "According to the fire brigade, two people were injured.", 1)],
     ["The sea dike near Kruisdorp gave way after days of storm.",
      "Some 1,200 inhabitants had to leave their homes."], [], None),
    ("2025-03-14", "house-prices", "Haven Dagblad", "https://haven.example/prices",
     "House prices rose 8.7 percent last year",
     [("De huizenprijzen zijn vorig jaar met 8,7 procent gestegen.",
       "House prices rose by 8.7 percent last year.", 0),
      ("Vooral in middelgrote steden was de stijging groot.",
       "The rise was largest in medium-sized cities.", 0)],
     ["House prices rose by 8.7 percent last year.",
      "The rise was largest in medium-sized cities."], [], None),
    ("2025-03-15", "dike-inquiry", "Kustkrant", None,
     "Inquiry: Kruisdorp dike was too weak for years",
     [("Een onderzoek bevestigt dat de dijk bij Kruisdorp jarenlang te zwak was.",
       "An inquiry confirms that the dike near Kruisdorp was too weak for years.", 0),
      ("Dijkgraaf Marieke Zandstra erkent dat versterking is uitgesteld.",
       "Dike warden Marieke Zandstra admits that reinforcement was postponed.", 0),
      ("De 1.200 geëvacueerde bewoners mogen volgende week terug.",
       "The 1,200 evacuated residents may return next week.", 1)],
     ["An inquiry confirms the Kruisdorp dike was too weak for years.",
      "Reinforcement was postponed, the dike warden admits.",
      "The 1,200 evacuated residents may return next week."], [], None),
    ("2025-03-16", "hospital-strike", "Noorderlicht", "https://noorderlicht.example/strike",
     "Hospital staff in Veendam strike over workload",
     [("Medewerkers van het ziekenhuis in Veendam leggen dinsdag het werk neer.",
       "Staff at the hospital in Veendam are stopping work on Tuesday.", 0),
      ("Ze protesteren tegen de hoge werkdruk en het personeelstekort.",
       "They are protesting against the high workload and staff shortages.", 0)],
     ["Staff at the hospital in Veendam strike on Tuesday.",
      "They protest against high workload and staff shortages."], [], None),
]

GROUPS = {  # night -> [(event id, headline, member ids, entities)]
    "2025-03-14": [("event-1", "Dike breach near Kruisdorp forces evacuation of 1,200 residents",
                    ["dike-breach-ha", "dike-breach-kr"], ["Kruisdorp", "Marieke Zandstra"]),
                   ("event-2", "House prices rose 8.7 percent last year", ["house-prices"], [])],
    "2025-03-15": [("event-1", "Inquiry: Kruisdorp dike was too weak for years",
                    ["dike-inquiry"], ["Kruisdorp", "Marieke Zandstra"])],
    "2025-03-16": [("event-1", "Hospital staff in Veendam strike over workload",
                    ["hospital-strike"], ["Veendam"])],
}


SENTENCES = {aid: sentences for _, aid, _, _, _, sentences, *_ in ARTICLES}


_WARDEN = "The dike had been weakened for years, dike warden Marieke Zandvoort says."
# The claims of a summary sentence, where the test marks some: the article names the warden
# Marieke Zandstra, so "Marieke Zandvoort" is marked [?] on the pages.
CLAIMS = {_WARDEN: [claim(_WARDEN, "years", "DATE", supported=True),
                    claim(_WARDEN, "Marieke Zandvoort", "PERSON", supported=False)]}


def write_synthetic_archive(out: Path) -> Path:
    """Write the nights under ``out``; returns ``out``."""
    by_night: dict[str, list[dict]] = {}
    for night, aid, outlet, url, title, sentences, summary, captions, support in ARTICLES:
        folder = out / night
        folder.mkdir(parents=True, exist_ok=True)
        data = {
            "schema_version": 1, "id": aid, "date": night[:7], "source": outlet, "url": url,
            "title_nl": None, "title_en": title, "briefing_en": " ".join(summary),
            "summary_sentences": summary, "translation_en": " ".join(s[1] for s in sentences),
            "sentences": [{"nl": nl, "en": en, "paragraph": p} for nl, en, p in sentences],
            "removed_captions": captions, "models": MODELS,
        }
        if support:  # a schema-2 briefing with claim support (its marks, no claims)
            checked = [summary_sentence(s, CLAIMS.get(s, [])) | {"support": v}
                       for s, v in zip(summary, support, strict=True)]
            data |= {"schema_version": 2, "pipeline_version": "test", "summary": checked,
                     "support": support_totals(checked), "source_language": "nl",
                     "language_confidence": 1.0, "summary_info": {}, "timings": {}}
        (folder / f"{aid}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2),
                                            encoding="utf-8")
        by_night.setdefault(night, []).append({
            "key": f"desk/{aid}", "id": aid, "file": f"{aid}.json", "title_en": title,
            "title_nl": None, "date": night[:7], "url": url, "source": outlet,
            "source_name": outlet, "briefing_en": " ".join(summary),
            "summary": [{"en": s, "evidence": [{"index": 0, "nl": sentences[0][0],
                                                "en": sentences[0][1], "score": 0.5}]}
                        for s in summary],
            "kind": "new", "attempt": 1, "processed_at": f"{night}T02:30:00+00:00",
            "group": None})
    for night, articles in by_night.items():
        ids = {a["id"]: a for a in articles}
        groups: list[dict] = []
        for gid, headline, members, entities in GROUPS[night]:
            for member in members:
                ids[member]["group"] = gid
            groups.append({"id": gid, "headline": headline, "lead": members[0],
                           "articles": members, "dates": [night[:7]],
                           "sources": [{"name": ids[m]["source_name"], "title": ids[m]["title_en"],
                                        "url": ids[m]["url"], "id": m} for m in members],
                           "entities": entities, "cohesion": 1.0, "related": []})
        # The story of each event of two outlets, made by the nightly's own step (no model).
        made = NightStories(out / night)(groups, {a["id"]: out / night / a["file"]
                                                  for a in articles},
                                         {a["id"]: a["source_name"] for a in articles})
        for group in groups:
            group["story"] = made.get(group["id"])
        # A watchlist, matched by the nightly's own matcher (the Dutch originals).
        matcher = WatchMatcher([Watchlist(name="Kruisdorp", terms=["Kruisdorp"])])
        hits = [hit.to_dict() | {"group": ids[a["id"]]["group"]} for a in articles
                for hit in matcher.hits(a["id"], [(en, nl) for nl, en, _ in SENTENCES[a["id"]]])]
        watched = [{"name": "Kruisdorp", "articles": list(dict.fromkeys(h["article"] for h in hits)),
                    "events": list(dict.fromkeys(h["group"] for h in hits if h["group"])),
                    "hits": hits}]
        run = {"night": night, "run_id": 1, "new": len(articles), "done": len(articles),
               "durations": {"total_s": 4.2}, "source_errors": []}
        digest = {
            "schema_version": 2, "kind": "briefing-nightly-digest", "pipeline_version": "test",
            "night": {"date": night, "articles": len(articles), "briefed": len(articles),
                      "failed": 0, "given_up": 0, "runs": 1},
            "generated_at": f"{night}T02:31:00+00:00",
            "counts": {"articles": len(articles), "events": len(groups), "failed": 0,
                       "disagreements": sum((g.get("story") or {}).get("disagreements", 0)
                                            for g in groups)},
            "run": run, "runs": [{"id": 1, "status": "finished"}], "groups": groups,
            "watched": watched,
            "articles": articles, "failed": [], "settings": {"group_threshold": 0.25},
            "models": MODELS, "provenance": {},
        }
        (out / night / "digest.json").write_text(json.dumps(digest, ensure_ascii=False),
                                                 encoding="utf-8")
        (out / night / "digest.html").write_text(render_html(digest), encoding="utf-8")
        (out / night / "digest.md").write_text(f"# {night}\n", encoding="utf-8")
    return out
