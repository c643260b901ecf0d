"""Seq2seq generation backends: the contract and its shared steps in ``base``
(``Seq2SeqBackend``, a template), one module or package per implementation (``hf``,
``ct2``), and the batching/int8 ``fidelity`` check."""

from pipeline.backends.base import Seq2SeqBackend, load_backend

__all__ = ["Seq2SeqBackend", "load_backend"]
