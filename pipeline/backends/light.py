"""A model directory's tokenizer and config without importing torch, for the CTranslate2 path.

transformers imports torch for every tokenizer and model config (``configuration_utils``
imports ``modeling_rope_utils``), seconds before the first briefing that a converted
model never uses. For the two tokenizer kinds of the default models this module
tokenizes with the libraries transformers itself calls (``sentencepiece``, ``tokenizers``),
reproducing transformers 5's encoding and decoding exactly (``tests/test_light_tokenizers.py``
compares them on the tests' tokenizers and on the real ones in ``../shared/models``):

- **Marian** (``MarianTokenizer``: ``source.spm``, ``target.spm``, ``vocab.json``);
- **byte-level BPE** (``BartTokenizer`` / ``RobertaTokenizer`` with a ``tokenizer.json``).

Any other tokenizer, or one of these with a setting not reproduced here (extra special
tokens, separate vocabularies, a normalizer, ...), is loaded by transformers as before.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

SPIECE_UNDERLINE = "▁"
# transformers' default when a tokenizer config sets no model_max_length.
_NO_LIMIT = int(1e30)
_BPE_CLASSES = {"BartTokenizer", "BartTokenizerFast", "RobertaTokenizer", "RobertaTokenizerFast"}
# Settings that need nothing reproduced (the values here are the defaults checked below).
_MARIAN_KEYS = {"added_tokens_decoder", "backend", "clean_up_tokenization_spaces", "eos_token",
                "model_max_length", "pad_token", "separate_vocabs", "source_lang",
                "sp_model_kwargs", "target_lang", "tokenizer_class", "unk_token",
                "name_or_path", "target_vocab_file"}
_BPE_KEYS = {"add_prefix_space", "added_tokens_decoder", "backend", "bos_token",
             "clean_up_tokenization_spaces", "cls_token", "eos_token", "errors", "mask_token",
             "model_max_length", "pad_token", "sep_token", "tokenizer_class", "trim_offsets",
             "unk_token", "name_or_path"}
_SPECIAL_MAPS = {"eos_token", "unk_token", "pad_token", "bos_token", "sep_token", "cls_token",
                 "mask_token"}


def load_tokenizer(path: Path):
    """The tokenizer of the model in ``path``: a light one where reproduced exactly, else
    transformers' ``AutoTokenizer`` (which imports torch)."""
    light = light_tokenizer(path)
    if light is not None:
        return light
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def light_tokenizer(path: Path) -> MarianTokenizer | ByteLevelBPETokenizer | None:
    """The light tokenizer for ``path``, or None where this module does not reproduce it."""
    path = Path(path)
    config = _read_json(path / "tokenizer_config.json")
    if not isinstance(config, dict) or (path / "added_tokens.json").exists():
        return None
    specials = _read_json(path / "special_tokens_map.json") if (
        path / "special_tokens_map.json").exists() else {}
    if not isinstance(specials, dict) or not set(specials) <= _SPECIAL_MAPS:
        return None
    kind = config.get("tokenizer_class")
    try:
        specials, flags = _special_names(specials)
        if kind == "MarianTokenizer":
            if any(_strips(f) for f in flags.values()):
                raise _Unsupported
            return MarianTokenizer.from_dir(path, config, specials)
        if kind in _BPE_CLASSES:
            return ByteLevelBPETokenizer.from_dir(path, config, specials, flags)
    except _Unsupported:
        return None
    return None


def _special_names(specials: dict) -> tuple[dict[str, str], dict[str, dict]]:
    """``special_tokens_map.json``: the token of each role, and the options of those given
    as objects (``{"content": ..., "lstrip": ...}``)."""
    names, flags = {}, {}
    for key, value in specials.items():
        if isinstance(value, dict) and isinstance(value.get("content"), str):
            names[key], flags[key] = value["content"], value
        elif isinstance(value, str):
            names[key] = value
        else:
            raise _Unsupported
    return names, flags


def _strips(token: dict) -> bool:
    return bool(token.get("lstrip") or token.get("rstrip") or token.get("single_word"))


def load_model_config(path: Path):
    """The model's ``config.json`` as attributes, where it states what loading needs
    (``max_position_embeddings``) and a ``generation_config.json`` exists; else
    transformers' ``AutoConfig`` (which imports torch)."""
    data = _read_json(Path(path) / "config.json")
    if (isinstance(data, dict) and isinstance(data.get("max_position_embeddings"), int)
            and (Path(path) / "generation_config.json").is_file()):
        return SimpleNamespace(**data)
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(path)


class _Unsupported(Exception):
    """The tokenizer files use something this module does not reproduce."""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _plain_added_tokens(config: dict, allowed: dict[str, int]) -> None:
    """Refuse added tokens other than the named special tokens, or with strip options."""
    for key, token in (config.get("added_tokens_decoder") or {}).items():
        if not isinstance(token, dict) or allowed.get(token.get("content")) != int(key):
            raise _Unsupported
        if _strips(token):
            raise _Unsupported


def clean_up_tokenization(text: str) -> str:
    """transformers' ``clean_up_tokenization`` (spaces before punctuation and clitics)."""
    return (text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
            .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m")
            .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re"))


class MarianTokenizer:
    """transformers 5's ``MarianTokenizer`` (one shared vocabulary), on ``sentencepiece``.

    Encoding: the text is split at the special tokens; every other piece loses a leading
    ``>>xx<<`` language code (kept as one token) and is cut by the source sentencepiece
    model; tokens map through ``vocab.json`` (unknown ones to ``<unk>``), and ``</s>`` ends
    the sequence. Decoding: special tokens are skipped, runs of pieces are joined by the
    sentencepiece model transformers uses there (the source one, for a shared vocabulary).
    """

    def __init__(self, *, source_spm, target_spm, encoder: dict[str, int], eos: str, unk: str,
                 pad: str, model_max_length: int, clean_up: bool, name: str):
        self.spm_source, self.spm_target = source_spm, target_spm
        self.encoder = encoder
        self.decoder = {v: k for k, v in encoder.items()}
        self.eos_token, self.unk_token, self.pad_token = eos, unk, pad
        self.eos_token_id, self.unk_token_id = encoder[eos], encoder[unk]
        self.pad_token_id = encoder[pad]
        self.model_max_length = model_max_length
        self.clean_up_tokenization_spaces = clean_up
        self.name_or_path = name
        self.all_special_tokens = [eos, unk, pad]
        self.added_tokens = {t: encoder[t] for t in self.all_special_tokens}
        self.added_ids = {i: t for t, i in self.added_tokens.items()}
        self.all_special_ids = set(self.added_ids)
        # transformers' Trie splits at the earliest, then longest, added token.
        self._split = re.compile("(" + "|".join(re.escape(t) for t in sorted(
            self.added_tokens, key=len, reverse=True)) + ")")
        # transformers decodes a shared vocabulary with the source model, and remembers it.
        self._decode_with_source = False

    @classmethod
    def from_dir(cls, path: Path, config: dict, specials: dict) -> MarianTokenizer:
        """Load from a MarianTokenizer directory (raises ``_Unsupported`` for what is not
        reproduced: separate vocabularies, sentencepiece options, extra tokens)."""
        import sentencepiece

        if not set(config) <= _MARIAN_KEYS or config.get("separate_vocabs") or config.get(
                "sp_model_kwargs") or config.get("target_vocab_file"):
            raise _Unsupported
        names = {}
        for key, default in (("eos_token", "</s>"), ("unk_token", "<unk>"),
                             ("pad_token", "<pad>")):
            value = config.get(key, specials.get(key, default))
            if not isinstance(value, str) or specials.get(key, value) != value:
                raise _Unsupported
            names[key] = value
        if set(specials) - set(names):
            raise _Unsupported
        encoder = _read_json(path / "vocab.json")
        files = [path / "source.spm", path / "target.spm"]
        if not isinstance(encoder, dict) or not all(f.is_file() for f in files) or any(
                names[k] not in encoder for k in names):
            raise _Unsupported
        _plain_added_tokens(config, {names[k]: encoder[names[k]] for k in names})
        source, target = (sentencepiece.SentencePieceProcessor(model_file=str(f)) for f in files)
        return cls(source_spm=source, target_spm=target, encoder=encoder, eos=names["eos_token"],
                   unk=names["unk_token"], pad=names["pad_token"],
                   model_max_length=int(config.get("model_max_length", _NO_LIMIT)),
                   clean_up=bool(config.get("clean_up_tokenization_spaces", False)),
                   name=str(path))

    def tokenize(self, text: str) -> list[str]:
        """The tokens of ``text`` (no end token)."""
        tokens: list[str] = []
        for chunk in self._split.split(text):
            if not chunk:
                continue
            if chunk in self.added_tokens:
                tokens.append(chunk)
                continue
            if chunk.startswith(">>") and (end := chunk.find("<<")) != -1:
                tokens.append(chunk[: end + 2])
                chunk = chunk[end + 2:]
            tokens.extend(self.spm_source.encode(chunk, out_type=str))
        return tokens

    def __call__(self, texts: list[str], *, add_special_tokens: bool = True,
                 truncation: bool = False) -> dict[str, list[list[int]]]:
        """``{"input_ids": [...]}``, each sequence ended by ``</s>`` (never truncated)."""
        if truncation:
            raise ValueError("this tokenizer never truncates")
        end = [self.eos_token_id] if add_special_tokens else []
        return {"input_ids": [self.convert_tokens_to_ids(self.tokenize(t)) + end for t in texts]}

    def convert_tokens_to_ids(self, tokens):
        """Token(s) to id(s); unknown tokens are ``<unk>``."""
        if isinstance(tokens, str):
            return self.encoder.get(tokens, self.unk_token_id)
        return [self.encoder.get(t, self.unk_token_id) for t in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens: bool = False):
        """Id(s) to token(s)."""
        if isinstance(ids, int):
            return self._token(ids)
        return [self._token(int(i)) for i in ids
                if not (skip_special_tokens and int(i) in self.all_special_ids)]

    def _token(self, index: int) -> str:
        if index in self.added_ids:
            return self.added_ids[index]
        if index in self.decoder:
            return self.decoder[index]
        model = self.spm_source if self._decode_with_source else self.spm_target
        return model.IdToPiece(index) or self.unk_token

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        """The text of one output sequence."""
        self._decode_with_source = True
        tokens = self.convert_ids_to_tokens(list(ids), skip_special_tokens=skip_special_tokens)
        specials = set(self.all_special_tokens)
        run: list[str] = []
        text = ""
        for token in tokens:
            if token in specials:
                text += self.spm_source.decode_pieces(run) + token + " "
                run = []
            else:
                run.append(token)
        text += self.spm_source.decode_pieces(run)
        text = text.replace(SPIECE_UNDERLINE, " ").strip()
        return clean_up_tokenization(text) if self.clean_up_tokenization_spaces else text

    def batch_decode(self, sequences, skip_special_tokens: bool = False) -> list[str]:
        """The text of each output sequence."""
        return [self.decode(s, skip_special_tokens=skip_special_tokens) for s in sequences]


class ByteLevelBPETokenizer:
    """transformers 5's ``BartTokenizer``/``RobertaTokenizer``: the ``tokenizer.json`` run
    by ``tokenizers`` (transformers rebuilds the same pipeline from it: byte-level
    pre-tokenizer and decoder, ``<s> ... </s>`` around the text; it skips its clean-up of
    decoded spaces for BPE)."""

    def __init__(self, tokenizer, *, config: dict, specials: dict, name: str):
        self._tokenizer = tokenizer
        self.name_or_path = name
        self.model_max_length = int(config.get("model_max_length", _NO_LIMIT))
        names = {k: config.get(k, specials.get(k)) for k in _SPECIAL_MAPS}
        for key, value in names.items():
            if value is not None and not isinstance(value, str):
                raise _Unsupported
            setattr(self, key, value)
        self.all_special_ids = {tokenizer.token_to_id(v) for v in names.values() if v}
        if None in self.all_special_ids:
            raise _Unsupported
        self.eos_token_id = tokenizer.token_to_id(self.eos_token)
        self.unk_token_id = tokenizer.token_to_id(self.unk_token) if self.unk_token else None

    @classmethod
    def from_dir(cls, path: Path, config: dict, specials: dict,
                 flags: dict[str, dict]) -> ByteLevelBPETokenizer:
        """Load ``tokenizer.json`` (raises ``_Unsupported`` where transformers would build a
        different pipeline from it)."""
        data = _read_json(path / "tokenizer.json")
        if not isinstance(data, dict) or not set(config) <= _BPE_KEYS:
            raise _Unsupported
        pre, post, dec = (data.get(k) or {} for k in ("pre_tokenizer", "post_processor",
                                                         "decoder"))
        model = data.get("model") or {}
        prefix = bool(config.get("add_prefix_space", False))
        trim = bool(config.get("trim_offsets", True))
        if (model.get("type") != "BPE" or data.get("normalizer") is not None
                or data.get("truncation") is not None or data.get("padding") is not None
                or pre.get("type") != "ByteLevel" or bool(pre.get("add_prefix_space")) != prefix
                or not pre.get("use_regex", True) or dec.get("type") != "ByteLevel"
                or post.get("type") != "RobertaProcessing"
                or bool(post.get("add_prefix_space")) != prefix
                or bool(post.get("trim_offsets")) != trim or model.get("dropout")
                or model.get("continuing_subword_prefix") or model.get("end_of_word_suffix")
                or model.get("byte_fallback") or model.get("ignore_merges")):
            raise _Unsupported
        added = {t["content"]: t for t in data.get("added_tokens", [])}
        for key, token in (config.get("added_tokens_decoder") or {}).items():
            mine = added.get(token.get("content")) if isinstance(token, dict) else None
            if mine is None or mine["id"] != int(key) or any(
                    bool(mine.get(f)) != bool(token.get(f))
                    for f in ("lstrip", "rstrip", "single_word", "normalized", "special")):
                raise _Unsupported
        if len(added) != len(config.get("added_tokens_decoder") or added):
            raise _Unsupported
        # transformers adds a named special token missing from tokenizer.json as special.
        for key in _SPECIAL_MAPS:
            value = config.get(key, specials.get(key))
            if value is not None and not (added.get(value) or {}).get("special"):
                raise _Unsupported
            if key in specials and specials[key] != value:
                raise _Unsupported
            if key in flags and any(bool(flags[key].get(f)) != bool(added[value].get(f))
                                    for f in ("lstrip", "rstrip", "single_word")):
                raise _Unsupported
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return cls(tokenizer, config=config, specials=specials, name=str(path))

    def __call__(self, texts: list[str], *, add_special_tokens: bool = True,
                 truncation: bool = False) -> dict[str, list[list[int]]]:
        """``{"input_ids": [...]}`` (never truncated)."""
        if truncation:
            raise ValueError("this tokenizer never truncates")
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=add_special_tokens)
        return {"input_ids": [e.ids for e in encodings]}

    def convert_tokens_to_ids(self, tokens):
        """Token(s) to id(s); unknown tokens are ``<unk>``."""
        if isinstance(tokens, str):
            index = self._tokenizer.token_to_id(tokens)
            return self.unk_token_id if index is None else index
        return [self.convert_tokens_to_ids(t) for t in tokens]

    def convert_ids_to_tokens(self, ids, skip_special_tokens: bool = False):
        """Id(s) to token(s)."""
        if isinstance(ids, int):
            return self._tokenizer.id_to_token(ids)
        return [self._tokenizer.id_to_token(int(i)) for i in ids
                if not (skip_special_tokens and int(i) in self.all_special_ids)]

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        """The text of one output sequence."""
        return self._tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)

    def batch_decode(self, sequences, skip_special_tokens: bool = False) -> list[str]:
        """The text of each output sequence."""
        return [self.decode(s, skip_special_tokens=skip_special_tokens) for s in sequences]


# The generation settings read here (all None by default in transformers 5, as here): the
# ones the default models' files set and the ones the CTranslate2 plan reads. A file with
# any other key is read by transformers' GenerationConfig.
GENERATION_KEYS = frozenset({
    "_from_model_config", "bad_words_ids", "bos_token_id", "decoder_start_token_id",
    "do_sample", "early_stopping", "eos_token_id", "forced_bos_token_id",
    "forced_eos_token_id", "length_penalty", "max_length", "max_new_tokens", "min_length",
    "min_new_tokens", "no_repeat_ngram_size", "num_beams", "num_return_sequences",
    "pad_token_id", "renormalize_logits", "repetition_penalty", "transformers_version"})


class GenerationSettings:
    """``generation_config.json`` as transformers 5's ``GenerationConfig`` reads it for the
    CTranslate2 plan: every setting the file does not give is None (transformers 5's
    default for all of them), ``to_diff_dict`` is the settings that are not None, with the
    installed transformers' version, as transformers writes it."""

    def __init__(self, values: dict[str, Any]):
        self.__dict__.update(values)

    def __getattr__(self, name: str):
        if name in GENERATION_KEYS:
            return None
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        if name not in GENERATION_KEYS:
            raise AttributeError(f"not a generation setting read here: {name}")
        self.__dict__[name] = value

    def to_diff_dict(self) -> dict[str, Any]:
        """The settings that differ from the defaults (None)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def load_generation_settings(path: Path, overrides: dict[str, Any]) -> GenerationSettings | None:
    """The model's generation settings with ``overrides`` on top, or None where the file
    is missing or has a setting read only by transformers' ``GenerationConfig``."""
    data = _read_json(Path(path) / "generation_config.json")
    if not isinstance(data, dict) or not set(data) | set(overrides) <= GENERATION_KEYS:
        return None
    if not all(_plain(v) for k, v in data.items() if k != "transformers_version"):
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("transformers")
    except PackageNotFoundError:
        installed = None
    return GenerationSettings(data | {"transformers_version": installed} | overrides)


def _plain(value) -> bool:
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, bool | int | float)
