"""Converting a transformers model directory to CTranslate2, once, atomically.

``convert_model`` writes ``<model_cache>/ct2/<safe-name>-<snapshot-or-fingerprint>-<quantization>/``.
It converts into a temporary directory next to the target and renames it into place, so an
interrupted or concurrent conversion never leaves a half-written model behind; an existing
conversion is reused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import shutil
import tempfile
from pathlib import Path

from pipeline.backends.base import unsafe_pickle_message
from pipeline.core.errors import ModelUnavailableError
from pipeline.hub.cache import conversions_dir
from pipeline.hub.registry import ResolvedModel

log = logging.getLogger(__name__)

QUANTIZATIONS = {"none": "float32", "int8": "int8"}
_CONVERSION_RECORD = "briefing-conversion.json"
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
            converter_class()(str(resolved.path)).convert(
                str(work), quantization=QUANTIZATIONS[quantization], force=True
            )
        except pickle.UnpicklingError:
            raise ModelUnavailableError(unsafe_pickle_message(resolved.role, resolved.path)) \
                from None
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


def _conversion_record(resolved: ResolvedModel, quantization: str) -> dict:
    from importlib.metadata import version

    return {
        "source": resolved.provenance(),
        "quantization": quantization,
        "versions": {pkg: version(pkg) for pkg in ("ctranslate2", "transformers", "torch")},
    }


def converter_class() -> type:
    """ctranslate2's ``TransformersConverter`` adapted to transformers 5 (built on first use:
    ``ctranslate2.converters`` imports torch and transformers, which running a converted
    model never needs)."""
    global _converter
    if _converter is None:
        from ctranslate2.converters import TransformersConverter

        class Converter(TransformersConverter):
            """ctranslate2's converter, adapted to transformers 5.

            transformers 5 no longer declares ``normalize_before`` on ``BartConfig`` (a config
            saved by transformers 5 lacks it), but ctranslate2 4.8.5's BART loader reads it.
            BART is a post-norm model, so the missing value is ``False``; the loaded weights
            are untouched. T5's output scaling is read from ``scale_decoder_outputs`` (see
            ``load_model``).
            """

            def load_model(self, model_class, model_name_or_path, **kwargs):
                # Tensors only from a pytorch_model.bin pickle (transformers' default, made
                # explicit).
                kwargs.setdefault("weights_only", True)
                model = super().load_model(model_class, model_name_or_path, **kwargs)
                if not hasattr(model.config, "normalize_before"):
                    model.config.normalize_before = False
                if model.config.model_type == "marian":
                    _check_zero_start_embedding(model)
                if model.config.model_type == "t5":
                    # transformers 5 sets tie_word_embeddings=True on every T5 config and
                    # keeps whether the decoder output is scaled by d_model**-0.5 (original
                    # T5: yes; T5 v1.1 and Flan-T5: no) in scale_decoder_outputs. ctranslate2
                    # 4.8.5 reads the former to decide the latter, and would scale Flan-T5's
                    # logits by 1/32.
                    model.config.tie_word_embeddings = bool(getattr(
                        model.config, "scale_decoder_outputs", model.config.tie_word_embeddings))
                return model

        _converter = Converter
    return _converter


_converter: type | None = None


def __getattr__(name: str):
    # ``_Converter``, the class itself (tests patch its ``convert``), built when asked for.
    if name == "_Converter":
        return converter_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
