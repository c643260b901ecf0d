"""Seq2seq generation backends: the contract in ``base``, one module per implementation."""

from pipeline.backends.base import Seq2SeqBackend, load_backend

__all__ = ["Seq2SeqBackend", "load_backend"]
