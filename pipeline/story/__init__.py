"""Story briefings: one event reported by several outlets, and who says what.

The path is visible in the modules: ``quantity`` (a figure as an interval), ``attribution``
(who asserts a sentence), ``figures`` (figures with what they count, from spaCy's parse),
``compare`` (rows of figures about the same thing, agreement, names across outlets),
``briefing`` (one English briefing of the event from the members' briefings) and ``build``
(all of it for one event). ``story.json``'s one reader and one writer is
:mod:`pipeline.record.story`, beside the briefing record.
"""
