"""An output of the data path: `briefing batch`, one JSON per article, errors.jsonl,
digest.md and run.json (:mod:`pipeline.batch.run`).
"""
