"""Domain logic on text shared by every stage: normalisation (``normalize``), names by
capitalisation and stopwords (``names``), aliases (``aliases``), figures and number words
(``numbers``), entity extraction (``entities``, ``rule_ner``), "does this claim occur in
that text?" (``matching``, the one entry point), sentence splitting (``sentences``) and
fitting text under token limits (``chunking``).
"""
