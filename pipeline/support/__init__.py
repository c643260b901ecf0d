"""Step 4 of the data path: what in the article supports each summary sentence
(:mod:`pipeline.support.evidence`: the source sentences a summary sentence draws on).
"""
