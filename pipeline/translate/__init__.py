"""Step 2 of the data path: Dutch sentences to English, batched by a token budget
(:mod:`pipeline.translate.translator`).
"""
