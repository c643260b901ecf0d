"""The typed records every stage shares: the briefing JSON (:mod:`pipeline.record.briefing`),
its summary sentences and claims (:mod:`pipeline.record.sentence`) and how an unsupported
claim is marked (:mod:`pipeline.record.marks`), and ``story.json``
(:mod:`pipeline.record.story`). This layer imports only :mod:`pipeline.core`.
"""
