"""`python -m bench`: the naive transformers recipe against this pipeline, on the same work.

Modules, one job each:

- ``settings``: what is measured (inputs, fixed output lengths, seeds) and where results go.
- ``models``: the default models' real architectures with seeded random weights.
- ``inputs``: the benchmark articles and their sentences.
- ``convert``: the fast path's one-time CTranslate2 conversion, timed apart.
- ``naive``: side (a), the few lines of transformers code a user would write.
- ``fast``: side (b), this project's pipeline through ``BriefingEngine``.
- ``measure``: runs each side in its own subprocess and reads its peak RSS.
- ``fidelity``: batched-versus-unbatched (and int8-versus-fp32) token agreement on a tiny
  model trained until its predictions are confident.
- ``report``: the table, the JSON file and the closing speedup line.
"""
