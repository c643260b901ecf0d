"""Same-event grouping of articles, shared by the nightly digest, the archive and stories.

``articles`` turns each article into features (names and numbers; Dutch content words) and
groups a night's articles; ``clustering`` scores and clusters them on sparse matrices and
merges spelling variants of rare names.
"""
