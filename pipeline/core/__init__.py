"""Plumbing every stage uses: the validated configuration, the typed errors, the exit-code
table, crash-safe file writing and provenance (what made an output).
"""
