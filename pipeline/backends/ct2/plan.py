"""The decoding plan: a transformers generation config mapped onto ``translate_batch``.

The model's ``generation_config.json`` (plus configured overrides, plus a per-call cap
applied by ``pipeline.backends.base.capped``) is mapped so both backends decode the same way:

==========================  =========================================================
transformers                ctranslate2
==========================  =========================================================
num_beams                   beam_size
length_penalty              length_penalty
no_repeat_ngram_size        no_repeat_ngram_size
repetition_penalty          repetition_penalty
max_new_tokens / max_length max_decoding_length (max_length counts the start token)
min_new_tokens / min_length min_decoding_length (idem)
forced_bos_token_id         target_prefix (CTranslate2 counts it as a decoded token,
                            as transformers does)
forced_eos_token_id         one step less, then an implicit end token: transformers
                            spends its last step forcing EOS
bad_words_ids               suppress_sequences (Marian's <pad> is not in the converted
                            vocabulary at all, so it can never be generated)
==========================  =========================================================

Not mapped: ``early_stopping`` (CTranslate2 stops once ``beam_size`` hypotheses are
finished, which is transformers' ``early_stopping=True``) and ``renormalize_logits``:
CTranslate2 always renormalizes the scores after n-gram blocking and length constraints,
which is transformers with ``renormalize_logits=True``. Marian's generation config sets it,
so Marian decodes identically; for BART (``false``) a beam whose best token is blocked can
rank differently. Greedy search is unaffected. Sampling is refused rather than silently
decoded greedily.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DecodingPlan:
    """``translate_batch`` settings derived from a transformers generation config.

    Lengths are kept in transformers' terms (``min_length`` counts the decoder start token)
    and translated in ``limits``. A per-call cap is applied to the generation config before
    planning (``pipeline.backends.base.capped``), exactly as for the transformers backend.
    """

    beam_size: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    max_new_tokens: int | None = None
    max_length: int = 20
    min_new_tokens: int = 0
    min_length: int = 0
    prefix: list[str] | None = None
    suppress: list[list[str]] = field(default_factory=list)
    forced_eos: bool = False

    def limits(self) -> tuple[int, int]:
        """(max, min) new tokens as transformers decodes them."""
        # transformers' max_length and min_length count the decoder start token.
        cap = max(1, self.max_new_tokens if self.max_new_tokens is not None
                  else self.max_length - 1)
        return cap, min(max(self.min_new_tokens, self.min_length - 1, 0), cap)

    @property
    def implied_end(self) -> bool:
        """Whether a hypothesis that reaches the length limit ends with an implicit end
        token (transformers forces EOS on its last step; ``options`` decodes one step less)."""
        return self.forced_eos and self.limits()[0] > 1

    def options(self) -> dict:
        """Keyword arguments for ``translate_batch``."""
        cap, floor = self.limits()
        if self.implied_end:
            # transformers spends its last allowed step forcing EOS: decode one step less;
            # a hypothesis that reaches the cap ends there.
            cap, floor = cap - 1, min(floor, cap - 1)
        return {
            "beam_size": self.beam_size,
            "length_penalty": self.length_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "repetition_penalty": self.repetition_penalty,
            "max_decoding_length": cap,
            "min_decoding_length": floor,
            "suppress_sequences": self.suppress or None,
            "max_input_length": 0,  # never truncate: callers split, generate() checks
            "return_end_token": True,
        }


def plan_decoding(generation_config, tokenizer, vocabulary: set[str]) -> DecodingPlan:
    """Map a transformers ``GenerationConfig`` onto CTranslate2 decoding settings.

    Raises:
        ValueError: the config asks for something this backend cannot reproduce (sampling,
            several return sequences).
    """
    g = generation_config
    if g.do_sample:
        raise ValueError("the ctranslate2 backend does not reproduce sampling (do_sample=true)")
    if (g.num_return_sequences or 1) != 1:
        raise ValueError("the ctranslate2 backend returns one sequence per input")
    prefix = None
    if g.forced_bos_token_id is not None:
        prefix = [tokenizer.convert_ids_to_tokens(int(g.forced_bos_token_id))]
    suppress = []
    for ids in g.bad_words_ids or []:
        tokens = tokenizer.convert_ids_to_tokens([int(i) for i in ids])
        if all(t in vocabulary for t in tokens):
            suppress.append(tokens)
    return DecodingPlan(
        beam_size=int(g.num_beams or 1),
        length_penalty=float(g.length_penalty if g.length_penalty is not None else 1.0),
        no_repeat_ngram_size=int(g.no_repeat_ngram_size or 0),
        repetition_penalty=float(g.repetition_penalty or 1.0),
        max_new_tokens=None if g.max_new_tokens is None else int(g.max_new_tokens),
        max_length=int(g.max_length or 20),
        min_new_tokens=int(g.min_new_tokens or 0),
        min_length=int(g.min_length or 0),
        prefix=prefix,
        suppress=suppress,
        forced_eos=g.forced_eos_token_id is not None,
    )
