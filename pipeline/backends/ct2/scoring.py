"""The CTranslate2 scorer: a converted (optionally int8) T5 checker behind the scoring contract.

CTranslate2 has no forward pass for a ``Translator``; one decoding step with
``return_logits_vocab`` gives the first step's scores over the whole vocabulary, of which
the two answer tokens are read (``pipeline.backends.scoring``). ``score_batch`` would need
one call per answer, running the encoder twice.
"""

from __future__ import annotations

import numpy as np

from pipeline.backends.ct2.runtime import open_translator
from pipeline.backends.scoring import FirstTokenScorer
from pipeline.core.config import RuntimeConfig
from pipeline.hub.device import ct2_compute_type
from pipeline.hub.registry import ResolvedModel


class CTranslate2Scorer(FirstTokenScorer):
    """First-step answer logits from a CTranslate2 ``Translator``."""

    name = "ctranslate2"

    def __init__(self, tokenizer, translator, *, max_tokens: int, batch_size: int = 8,
                 quantization: str = "none", device: str = "cpu", converted: str | None = None):
        super().__init__(tokenizer, max_tokens=max_tokens, batch_size=batch_size)
        self.translator = translator
        self.quantization = quantization
        self.device = device
        self.converted = converted

    @classmethod
    def _load(cls, resolved: ResolvedModel, runtime: RuntimeConfig, *, tokenizer, model_config,
              max_tokens: int, batch_size: int) -> CTranslate2Scorer:
        loaded = open_translator(resolved, runtime, tokenizer.eos_token)
        return cls(tokenizer, loaded.translator, max_tokens=max_tokens, batch_size=batch_size,
                   quantization=loaded.quantization, device=loaded.device,
                   converted=loaded.directory.name)

    def _label_logits(self, ids: list[list[int]]) -> list[tuple[float, float]]:
        source = [self.tokenizer.convert_ids_to_tokens(i) for i in ids]
        results = self.translator.translate_batch(
            source, beam_size=1, max_decoding_length=1, min_decoding_length=0,
            return_logits_vocab=True, max_input_length=0, max_batch_size=len(source))
        no, yes = self.labels
        out = []
        for result in results:
            # Hypothesis 0, decoding step 0: a StorageView over the whole vocabulary.
            flat = np.asarray(result.logits[0][0]).reshape(-1)
            out.append((float(flat[no]), float(flat[yes])))
        return out

    def provenance(self) -> dict:
        """As the base, plus the conversion and its compute type."""
        return super().provenance() | {
            "quantization": self.quantization, "device": self.device, "converted": self.converted,
            "compute_type": ct2_compute_type(self.quantization, self.device)}
