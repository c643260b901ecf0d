"""The CTranslate2 backend: a converted (optionally int8) model behind the same contract.

Conversion: ``convert_model`` turns a transformers model directory into
``<model_cache>/ct2/<safe-name>-<snapshot-or-fingerprint>-<quantization>/``. It converts
into a temporary directory next to the target and renames it into place, so an interrupted
or concurrent conversion never leaves a half-written model behind; an existing conversion
is reused.

Decoding: the model's ``generation_config.json`` (plus configured overrides) is mapped onto
``translate_batch`` so both backends decode the same way:

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

import hashlib
import json
import logging
import math
import os
import pickle
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import ctranslate2
from ctranslate2.converters import TransformersConverter

from pipeline.core.config import GenerationOverrides, RuntimeConfig
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.cache import conversions_dir
from pipeline.hub.device import ct2_compute_type
from pipeline.hub.registry import ResolvedModel

log = logging.getLogger(__name__)

QUANTIZATIONS = {"none": "float32", "int8": "int8"}
_CONVERSION_RECORD = "briefing-conversion.json"
# Sub-batch limits per CPU worker, measured on 2 cores (bench/README.md). Speed: Marian
# (6 beams, ~30-token sources) is fastest at 12 sentences (72 hypotheses), ~5% faster than
# 8 or 16 and ~15% faster than 32. Memory: every hypothesis keeps the cross-attention keys
# and values of its whole source (DistilBART: 6 layers x 2 x 1,024 floats per source token,
# ~200 MB for 4 beams over 1,024 tokens); 4,096 hypothesis x source tokens bounds that per
# worker. Two ~900-token articles per sub-batch would summarize ~20% faster but add ~200 MB
# per worker to the peak.
_HYPOTHESES_PER_WORKER = 72
_HYPOTHESIS_TOKENS_PER_WORKER = 4096
# Weight files are fingerprinted by size and modification time (hashing a 1 GB file on
# every load would cost seconds); everything smaller is hashed by content.
_CONTENT_HASH_LIMIT = 1 << 20


def converted_dir(resolved: ResolvedModel, model_cache: Path, quantization: str) -> Path:
    """Where the converted form of ``resolved`` lives in the model cache.

    Hub models are named by their snapshot (commit); local directories by a fingerprint of
    their files, so a re-saved model never reuses a stale conversion.
    """
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"unknown quantization '{quantization}' (one of {sorted(QUANTIZATIONS)})")
    if resolved.origin == "local-dir":
        name, version = resolved.path.name, directory_fingerprint(resolved.path)
    else:
        name, version = resolved.spec.id, resolved.path.name
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name.replace("/", "--")).strip("-.") or "model"
    return conversions_dir(model_cache) / f"{safe}-{version[:12]}-{quantization}"


def directory_fingerprint(path: Path) -> str:
    """A short hash of a model directory: small files by content, large ones by size+mtime."""
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(str(file.relative_to(path)).encode())
        if stat.st_size <= _CONTENT_HASH_LIMIT:
            digest.update(file.read_bytes())
        else:
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def convert_model(resolved: ResolvedModel, model_cache: Path, quantization: str = "none") -> Path:
    """Convert a transformers model directory to CTranslate2 (or reuse an earlier conversion).

    Args:
        resolved: the model, found locally.
        model_cache: ``runtime.model_cache``; conversions go to its ``ct2/`` folder.
        quantization: ``none`` (float32 weights) or ``int8``.

    Returns:
        The converted model directory.

    Raises:
        ModelUnavailableError: the model cannot be converted (unsupported architecture,
            unreadable files).
    """
    target = converted_dir(resolved, model_cache, quantization)
    if (target / "model.bin").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        # Shown once per model (a warning, so the CLI's default log level shows it): the
        # first use of the fast path converts; later runs reuse the conversion.
        log.warning("converting the %s model to CTranslate2 (%s), once: %s -> %s",
                    resolved.role, quantization, resolved.path, target)
        try:
            _Converter(str(resolved.path)).convert(
                str(work), quantization=QUANTIZATIONS[quantization], force=True
            )
        except pickle.UnpicklingError:
            raise ModelUnavailableError(_unsafe_pickle(resolved)) from None
        except (OSError, ValueError, KeyError, NotImplementedError, RuntimeError) as exc:
            raise ModelUnavailableError(
                f"The {resolved.role} model in {resolved.path} could not be converted to "
                f"CTranslate2: {exc}"
            ) from None
        (work / _CONVERSION_RECORD).write_text(
            json.dumps(_conversion_record(resolved, quantization), indent=2, sort_keys=True),
            encoding="utf-8",
        )
        try:
            work.rename(target)
        except OSError:
            # Another process finished the same conversion first: keep its result.
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _unsafe_pickle(resolved: ResolvedModel) -> str:
    return (f"The {resolved.role} model's weights in {resolved.path} hold Python objects "
            "besides tensors; they were not loaded (torch weights_only), since unpickling them "
            "could run arbitrary code.")


def _conversion_record(resolved: ResolvedModel, quantization: str) -> dict:
    from importlib.metadata import version

    return {
        "source": resolved.provenance(),
        "quantization": quantization,
        "versions": {pkg: version(pkg) for pkg in ("ctranslate2", "transformers", "torch")},
    }


class _Converter(TransformersConverter):
    """ctranslate2's converter, adapted to transformers 5.

    transformers 5 no longer declares ``normalize_before`` on ``BartConfig`` (a config saved
    by transformers 5 lacks it), but ctranslate2 4.8.5's BART loader reads it. BART is a
    post-norm model, so the missing value is ``False``; the loaded weights are untouched.
    """

    def load_model(self, model_class, model_name_or_path, **kwargs):
        # Tensors only from a pytorch_model.bin pickle (transformers' default, made explicit).
        kwargs.setdefault("weights_only", True)
        model = super().load_model(model_class, model_name_or_path, **kwargs)
        if not hasattr(model.config, "normalize_before"):
            model.config.normalize_before = False
        if model.config.model_type == "marian":
            _check_zero_start_embedding(model)
        return model


def _check_zero_start_embedding(model) -> None:
    """CTranslate2 starts Marian's decoder from a zero vector instead of the embedding of the
    decoder start token (<pad>). That is exact for Marian models, whose <pad> embedding is
    zero; for any other the conversion would silently change every output.

    Raises:
        ValueError: the start token's embedding is not zero.
    """
    start = model.config.decoder_start_token_id
    weight = model.get_decoder().embed_tokens.weight
    if start is not None and bool(weight[start].abs().max() > 0):
        raise ValueError(
            f"the embedding of the decoder start token (id {start}) is not zero; CTranslate2 "
            "starts Marian decoding from a zero embedding, so the converted model would "
            "decode differently (use backend: transformers for this model)"
        )


@dataclass(frozen=True)
class DecodingPlan:
    """``translate_batch`` settings derived from a transformers generation config.

    Lengths are kept in transformers' terms (``min_length`` counts the decoder start token)
    and translated per call, so a per-call cap is applied exactly as TransformersBackend
    applies it.
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

    def limits(self, max_new_tokens: int | None = None) -> tuple[int, int]:
        """(max, min) new tokens as transformers would decode them, given a per-call cap.

        Mirrors TransformersBackend.generate: a cap only ever lowers the model's own limit,
        and a model-level minimum above an applied cap is dropped (min_length) or lowered
        to it (min_new_tokens).
        """
        # transformers' max_length and min_length count the decoder start token.
        own = self.max_new_tokens if self.max_new_tokens is not None else self.max_length - 1
        cap, min_new, min_length = max(1, own), self.min_new_tokens, self.min_length
        if max_new_tokens is not None and max_new_tokens < (self.max_new_tokens or
                                                            self.max_length):
            cap = max_new_tokens
            if min_length > cap:
                min_length = 0
            min_new = min(min_new, cap)
        return cap, min(max(min_new, min_length - 1, 0), cap)

    def options(self, max_new_tokens: int | None = None) -> dict:
        """Keyword arguments for ``translate_batch``, optionally with a per-call cap."""
        cap, floor = self.limits(max_new_tokens)
        if self.forced_eos and cap > 1:
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


class CTranslate2Backend:
    """Generation with a CTranslate2 ``Translator``; tokenization with the HF tokenizer.

    Attributes:
        stats: running totals (``calls``, ``inputs``, ``source_tokens``, ``output_tokens``);
            output tokens count every produced token, end token included, as transformers'
            ``generate`` output does (minus its decoder start token).
        output_lengths: how many outputs had each length (same counting as ``stats``).
    """

    name = "ctranslate2"

    def __init__(self, tokenizer, translator, plan: DecodingPlan, *, model_max_tokens: int,
                 generation_settings: dict, workers: int = 1):
        self.tokenizer = tokenizer
        self.workers = max(1, workers)
        self.translator = translator
        self.plan = plan
        self.model_max_tokens = model_max_tokens
        self.generation_settings = generation_settings
        self.stats = {"calls": 0, "inputs": 0, "source_tokens": 0, "output_tokens": 0}
        self.output_lengths: Counter[int] = Counter()

    @classmethod
    def load(
        cls, resolved: ResolvedModel, runtime: RuntimeConfig, overrides: GenerationOverrides
    ) -> CTranslate2Backend:
        """Convert the model if needed, then load it with the tokenizer and decoding settings.

        Raises:
            ModelUnavailableError: the model cannot be converted or loaded.
            ValueError: CUDA requested without a GPU; a generation setting this backend
                cannot reproduce.
        """
        from transformers import AutoConfig, AutoTokenizer

        from pipeline.backends.hf import model_token_limit

        quantization = resolved.spec.quantization
        device = _device(runtime.device)
        directory = convert_model(resolved, runtime.model_cache, quantization)
        workers, threads = worker_threads(runtime, device)
        try:
            tokenizer = AutoTokenizer.from_pretrained(resolved.path)
            model_config = AutoConfig.from_pretrained(resolved.path)
            translator = ctranslate2.Translator(
                str(directory), device=device,
                compute_type=ct2_compute_type(quantization, device),
                intra_threads=threads, inter_threads=workers,
            )
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(
                f"The {resolved.role} model in {directory} could not be loaded: {exc}"
            ) from None
        generation_config = load_generation_config(resolved.path, model_config, overrides)
        plan = plan_decoding(generation_config, tokenizer, _vocabulary(directory))
        settings = {
            k: v for k, v in generation_config.to_diff_dict().items()
            if k not in {"transformers_version", "_from_model_config"}
        }
        settings["ctranslate2"] = asdict(plan) | {
            "device": device, "quantization": quantization,
            "compute_type": ct2_compute_type(quantization, device), "converted": directory.name}
        return cls(tokenizer, translator, plan,
                   model_max_tokens=model_token_limit(tokenizer, model_config),
                   generation_settings=settings, workers=workers)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token count of each text, special tokens included, never truncated."""
        if not texts:
            return []
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def generate(self, texts: list[str], *, max_new_tokens: int | None = None) -> list[str]:
        """Generate for a batch of inputs, outputs in input order.

        Raises:
            ValueError: an input is longer than the model accepts (callers split first;
                this guards against silent truncation).
        """
        output_ids = self.generate_ids(texts, max_new_tokens=max_new_tokens)
        decoded = self.tokenizer.batch_decode(output_ids, skip_special_tokens=True)
        return [text.strip() for text in decoded]

    def generate_ids(self, texts: list[str], *, max_new_tokens: int | None = None
                     ) -> list[list[int]]:
        """Output token ids per input (forced prefix and end token included when produced).

        Raises:
            ValueError: an input is longer than the model accepts.
        """
        if not texts:
            return []
        ids = self.tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
        longest = max(len(i) for i in ids)
        if longest > self.model_max_tokens:
            raise ValueError(
                f"input of {longest} tokens exceeds the model limit of {self.model_max_tokens}"
            )
        source = [self.tokenizer.convert_ids_to_tokens(i) for i in ids]
        options = self.plan.options(max_new_tokens)
        prefix = [list(self.plan.prefix) for _ in source] if self.plan.prefix else None
        results = self.translator.translate_batch(
            source, target_prefix=prefix, max_batch_size=self._sub_batch(len(source), longest),
            batch_type="examples", **options)
        hypotheses = [r.hypotheses[0] for r in results]
        implied_end = options["max_decoding_length"] < self.plan.limits(max_new_tokens)[0]
        self.stats["calls"] += 1
        self.stats["inputs"] += len(texts)
        self.stats["source_tokens"] += sum(len(i) for i in ids)
        for hypothesis in hypotheses:
            produced = self._produced(hypothesis, implied_end)
            self.stats["output_tokens"] += produced
            self.output_lengths[produced] += 1
        return [self.tokenizer.convert_tokens_to_ids(h) for h in hypotheses]

    def _sub_batch(self, size: int, longest: int) -> int:
        """Examples per sub-batch: CTranslate2 sorts the batch by length, cuts it into
        sub-batches of this size and decodes them on its workers in parallel. A sub-batch
        also stays within ``_HYPOTHESES_PER_WORKER`` beam hypotheses and
        ``_HYPOTHESIS_TOKENS_PER_WORKER`` hypotheses x source tokens (see there)."""
        beam = self.plan.beam_size
        return max(1, min(math.ceil(size / self.workers), _HYPOTHESES_PER_WORKER // beam,
                          _HYPOTHESIS_TOKENS_PER_WORKER // (beam * max(1, longest))))

    def _produced(self, hypothesis: list[str], implied_end: bool) -> int:
        """Tokens transformers would have produced for this hypothesis (end token included)."""
        ended = bool(hypothesis) and hypothesis[-1] == self.tokenizer.eos_token
        return len(hypothesis) + (1 if implied_end and not ended else 0)


def load_generation_config(path: Path, model_config, overrides: GenerationOverrides):
    """The model's generation config with overrides applied, as TransformersBackend reads it.

    transformers 5 takes decoding settings only from ``generation_config.json``; a model
    without one gets what ``from_pretrained`` would give it.
    """
    from transformers import GenerationConfig

    try:
        config = GenerationConfig.from_pretrained(path)
    except OSError:
        config = GenerationConfig.from_model_config(model_config)
    config = GenerationConfig.from_dict(config.to_dict())
    for key, value in overrides.model_dump(exclude_none=True).items():
        setattr(config, key, value)
    return config


def _vocabulary(directory: Path) -> set[str]:
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        if (directory / name).is_file():
            return set(json.loads((directory / name).read_text(encoding="utf-8")))
    return set()


def _device(requested: str) -> str:
    has_cuda = ctranslate2.get_cuda_device_count() > 0
    if requested == "cuda" and not has_cuda:
        raise ValueError("runtime.device is 'cuda' but no CUDA device is available")
    if requested == "auto":
        return "cuda" if has_cuda else "cpu"
    return requested


def worker_threads(runtime: RuntimeConfig, device: str) -> tuple[int, int]:
    """(workers, threads per worker) for ``runtime.threads`` threads (null: every core).

    On CPU, one single-threaded worker per thread: a beam-search step is many small matrix
    products, which one thread runs without synchronisation, so sub-batches decoded in
    parallel use the cores better than threads inside each product (~1.5x on 2 cores).
    """
    total = runtime.threads or _cpu_count()
    if device != "cpu":
        return 1, total
    return total, 1


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
