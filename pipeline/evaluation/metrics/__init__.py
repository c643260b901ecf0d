"""The metrics of `briefing eval` (ROUGE, entity coverage, chrF/BLEU), their registry,
bootstrap intervals and the regression gate.
"""
