"""Evaluation of briefings: ROUGE, entity coverage, translation metrics, reports and a gate.

The library entry point is :func:`pipeline.evaluation.runner.evaluate`; the command
``briefing eval`` is a thin wrapper in :mod:`pipeline.cli.eval`.
Every metric and matching rule is documented in ``eval/README.md``.
"""
