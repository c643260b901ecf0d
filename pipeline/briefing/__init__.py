"""Step 5 of the data path: the briefing of one article (:mod:`pipeline.record.briefing`),
and the engine that runs ingest, translate, summarize and support to produce it
(:mod:`pipeline.briefing.engine`).
"""
