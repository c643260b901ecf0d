"""An output of the data path: `briefing batch`, one JSON per article, errors.jsonl,
digest.md and run.json; one plan step (:mod:`pipeline.batch.plan`) and one run record
(:mod:`pipeline.batch.record`) for the local engine (:mod:`pipeline.batch.run`) and the Ray
engine (:mod:`pipeline.batch.ray_engine`).
"""
