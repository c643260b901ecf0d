"""Step 3 of the data path: the English translation to a short summary, map-reduce over
the model limit (:mod:`pipeline.summarize.summarizer`).
"""
