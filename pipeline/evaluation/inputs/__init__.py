"""Reading what `briefing eval` scores: predictions, references, sources, reference
translations; and the lead-3 baseline built from the sources.
"""
