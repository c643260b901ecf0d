"""Domain logic on text shared by every stage: normalisation, names and aliases, figures,
entity extraction, sentence splitting and fitting text under token limits.
"""
