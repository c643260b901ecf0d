"""The one validated configuration object, and how it is resolved.

Precedence: built-in defaults < a YAML file (``--config`` or ``$BRIEFING_CONFIG``) < CLI flags.
Unknown keys are an error everywhere, so a typo never silently falls back to a default.
``configs/default.yaml`` spells out every key with its default value.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.core.errors import ConfigError
from pipeline.core.netguard import parse_allow_entry

DEFAULT_TRANSLATOR = "Helsinki-NLP/opus-mt-nl-en"
DEFAULT_SUMMARIZER = "sshleifer/distilbart-cnn-12-6"
# Full 40-hex commits: offline, only these resolve without a refs/ file (pipeline/hub/pins.py
# holds them with the sha256 of each weight file).
DEFAULT_TRANSLATOR_REVISION = "48af999f2c59b10c05ca6e008dcedc07677a9b15"
DEFAULT_SUMMARIZER_REVISION = "a4f8f3ea906ed274767e9906dbaede7531d660ff"
# OPUS-MT's own evaluation recipes decode with 4 beams; over 77 OPUS-MT models beam 4 was
# about 50% faster than the model card's 6 at equal BLEU (22.5 vs 22.4; transformers
# issue 8427). translation.generation.num_beams: 6 (or null) restores the model's value.
DEFAULT_TRANSLATION_BEAMS = 4
# The optional consistency check's model (support.consistency): MiniCheck-Flan-T5-Large
# (Tang et al. 2024), MIT, pinned at the last commit of its model-only tree (pins.py).
DEFAULT_CONSISTENCY_MODEL = "lytang/MiniCheck-Flan-T5-Large"
DEFAULT_CONSISTENCY_REVISION = "16c1622bd5aa7fa0d15dcabe466f800ac9a39b8e"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class ModelSpec(_Strict):
    """Which model to load: a hub id with a pinned revision, or a local directory."""

    id: str = Field(min_length=1, description="Hub id (org/name) or a local directory.")
    revision: str | None = Field(
        default=None, description="Hub commit, tag or branch. Ignored for local directories."
    )
    backend: Literal["transformers", "ctranslate2"] = Field(
        default="ctranslate2",
        description="ctranslate2 (the fast path, converted once on first use) or transformers "
        "(the exact fp32 path).",
    )
    quantization: Literal["none", "int8"] = Field(
        default="int8",
        description="ctranslate2 backend only: weight type of the converted model "
        "(none = float32). With backend: transformers it defaults to none.",
    )

    @model_validator(mode="before")
    @classmethod
    def _transformers_means_no_quantization(cls, data: Any) -> Any:
        # `backend: transformers` alone must mean the exact path, not an int8 error.
        if isinstance(data, dict) and data.get("backend") == "transformers":
            data = {"quantization": "none", **data}
        return data

    @model_validator(mode="after")
    def _quantization_needs_ct2(self) -> ModelSpec:
        if self.quantization != "none" and self.backend != "ctranslate2":
            raise ValueError("quantization is only supported with backend: ctranslate2")
        return self

    @property
    def display(self) -> str:
        """``id@revision`` for hub models, the path for local ones."""
        return f"{self.id}@{self.revision}" if self.revision else self.id


class GenerationOverrides(_Strict):
    """Decoding settings; ``null`` keeps the model's own ``generation_config.json`` value."""

    num_beams: int | None = Field(default=None, ge=1)
    max_new_tokens: int | None = Field(default=None, ge=1)
    min_new_tokens: int | None = Field(default=None, ge=0)
    length_penalty: float | None = None
    no_repeat_ngram_size: int | None = Field(default=None, ge=0)


class TranslationGenerationOverrides(GenerationOverrides):
    """Translation decoding: as :class:`GenerationOverrides`, with the project's beam 4 as the
    default even when a config file sets other generation keys."""

    num_beams: int | None = Field(default=DEFAULT_TRANSLATION_BEAMS, ge=1)


class TranslationConfig(_Strict):
    """Dutch-to-English translation."""

    # The fast path by default: CTranslate2 with int8 weights (converted once on first use).
    # CTranslate2's published OPUS-MT benchmark: int8 within 0.3 BLEU of fp32 at 4.7x
    # transformers' speed. configs/exact.yaml selects the transformers fp32 path.
    model: ModelSpec = ModelSpec(
        id=DEFAULT_TRANSLATOR, revision=DEFAULT_TRANSLATOR_REVISION,
        backend="ctranslate2", quantization="int8",
    )
    max_input_tokens: int = Field(
        default=256,
        ge=8,
        description="Longest piece sent to the model; longer sentences are split at clause "
        "boundaries first. Never above the model's own limit (512 for Marian).",
    )
    batch_tokens: int = Field(
        default=16384, ge=64,
        description="Padded source tokens per generate() call. 16384 hands CTranslate2 a "
        "whole window (it sub-batches itself); 6000 suits the transformers backend.",
    )
    max_batch_size: int = Field(default=256, ge=1)
    max_length_ratio: float | None = Field(
        default=2.0,
        gt=0,
        description="Cap new tokens at ratio x longest source piece + 10 (guards against "
        "degenerate repetition); null uses the model's max_length only.",
    )
    generation: TranslationGenerationOverrides = TranslationGenerationOverrides()


class SummarizationConfig(_Strict):
    """English summarization of the translated article."""

    # a4f8f3e... is the commit transformers itself pinned for its summarization default.
    model: ModelSpec = ModelSpec(
        id=DEFAULT_SUMMARIZER, revision=DEFAULT_SUMMARIZER_REVISION,
        backend="ctranslate2", quantization="int8",
    )
    max_input_tokens: int | None = Field(
        default=None,
        ge=16,
        description="Longest chunk sent to the summarizer; null = the model's limit (1024).",
    )
    min_sentences: int = Field(default=3, ge=1)
    max_sentences: int = Field(default=5, ge=1)
    batch_size: int = Field(
        default=8, ge=1, description="Summaries generated together (4 suits transformers)."
    )
    max_reduce_rounds: int = Field(
        default=3, ge=1, description="Map-reduce rounds before giving up on a huge article."
    )
    unsupported_claims: Literal["keep", "flag", "drop"] = Field(
        default="flag", description="A sentence naming a name or figure its article lacks: "
        "keep (record only), flag (record and mark) or drop (remove, recording why).")
    generation: GenerationOverrides = GenerationOverrides()

    @model_validator(mode="after")
    def _sentence_bounds(self) -> SummarizationConfig:
        if self.min_sentences > self.max_sentences:
            raise ValueError("min_sentences must not exceed max_sentences")
        return self


class IngestConfig(_Strict):
    """Reading, cleaning and checking input articles."""

    max_article_bytes: int = Field(
        default=1_000_000, ge=1, description="Larger articles are rejected, not truncated."
    )
    min_article_words: int = Field(default=5, ge=1)
    language: Literal["nl"] = "nl"
    english_input: Literal["passthrough", "error"] = Field(
        default="passthrough",
        description="An article that is already English: summarize it untranslated, or reject.",
    )
    min_language_confidence: float = Field(default=0.5, ge=0.0, le=1.0)


class RuntimeConfig(_Strict):
    """Where models live and what they run on."""

    model_cache: Path | None = Field(
        default=None,
        description="Hub downloads (<model_cache>/hub) and converted models (<model_cache>/ct2); "
        "a relative path in a config file is relative to that file. null = the Hugging Face "
        "cache (HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub).",
    )
    offline: bool = Field(
        default=False, description="Never contact the hub (HF_HUB_OFFLINE=1 also sets this)."
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int | None = Field(
        default=None, ge=1,
        description="CPU threads: torch's intra-op threads, or the number of single-threaded "
        "CTranslate2 workers; null = the library default (all cores).",
    )


class EmailConfig(_Strict):
    """`nightly.deliver.email`: send the night's digest by SMTP."""

    host: str = Field(min_length=1, description="SMTP server.")
    port: int | None = Field(default=None, ge=1, le=65535,
                             description="null = 587 (starttls), 465 (ssl), 25 (none).")
    security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="starttls or ssl (TLS, the server's certificate checked); none only for a "
        "server on this machine (loopback).")
    sender: str = Field(min_length=3, description="From: address.")
    to: list[str] = Field(default_factory=list, description="Recipients of the whole digest.")
    watch_to: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Watchlist name -> recipients of a message led by that watchlist's hits.")
    username: str | None = Field(default=None, description="SMTP login; null = no login.")
    password_env: str | None = Field(
        default=None, description="Environment variable holding the password.")
    password_file: Path | None = Field(
        default=None, description="File holding the password (its first line).")
    ca_file: Path | None = Field(
        default=None, description="Extra CA certificates to trust (PEM); null = the system's.")
    timeout_s: float = Field(default=30.0, gt=0, allow_inf_nan=False,
                             description="Deadline of one SMTP conversation.")
    attempts: int = Field(default=3, ge=1, le=10, description="Tries before the night "
                          "records the delivery as failed.")
    backoff_s: float = Field(default=5.0, ge=0, le=300, allow_inf_nan=False,
                             description="Wait before the second try; doubled for each next one.")

    @model_validator(mode="after")
    def _checked(self) -> EmailConfig:
        if not self.to and not self.watch_to:
            raise ValueError("no recipients: set to or watch_to")
        if self.password_env and self.password_file:
            raise ValueError("give the password in password_env or password_file, not both")
        if self.username and not (self.password_env or self.password_file):
            raise ValueError("username needs password_env or password_file (never the "
                             "password itself)")
        if self.security == "none" and not _is_loopback(self.host):
            raise ValueError(f"security none would send the digest and the password in clear "
                             f"text to {self.host}; it is allowed only for a server on this "
                             "machine (127.0.0.1, ::1, localhost)")
        return self


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class DeliverConfig(_Strict):
    """`nightly.deliver`: where the night's digest is sent once it is written."""

    email: EmailConfig | None = Field(default=None, description="null = no e-mail.")
class ConsistencyConfig(_Strict):
    """The optional sentence-level consistency check: a fact-checking model reads each summary
    sentence against its evidence sentences and their neighbours (pipeline/support/consistency.py)."""

    enabled: bool = Field(
        default=False, description="Off by default: on a CPU the model costs more than the "
        "rest of the briefing (bench/README.md, 'Consistency check').")
    model: ModelSpec = ModelSpec(
        id=DEFAULT_CONSISTENCY_MODEL, revision=DEFAULT_CONSISTENCY_REVISION,
        backend="ctranslate2", quantization="int8",
    )
    threshold: float = Field(
        default=0.5, ge=0.0, le=1.0,
        description="A sentence is consistent when the model's probability of 'supported' "
        "exceeds this (MiniCheck's own cut: 0.5).")
    neighbours: int = Field(
        default=1, ge=0, le=5,
        description="Article sentences before and after each evidence sentence added to what "
        "the sentence is checked against.")
    max_input_tokens: int = Field(
        default=2048, ge=16,
        description="Longest model input (MiniCheck's own limit); a longer one is not checked.")
    batch_size: int = Field(default=8, ge=1, description="Sentences scored together.")


class SupportConfig(_Strict):
    """Step 4 beyond the rule-based claim check."""

    consistency: ConsistencyConfig = ConsistencyConfig()


class NightlyConfig(_Strict):
    """`briefing nightly`: sources, state, output and the digest's event grouping."""

    sources: list[str] = Field(
        default_factory=list,
        description="Folders of .txt/.jsonl/.html articles, .jsonl/.txt/.html files, RSS/Atom "
        "feed files, and http(s) URLs of feeds or article pages.",
    )
    state_url: str = Field(
        default="sqlite:///state/briefing.sqlite", min_length=1,
        description="SQLAlchemy URL of the state database (relative sqlite paths are relative "
        "to the working directory).",
    )
    out_dir: Path = Field(default=Path("out/nightly"), description="Nights go to OUT_DIR/DATE/.")
    lock_path: Path | None = Field(
        default=None,
        description="Single-run lock file; null = the sqlite file + '.lock', or "
        "OUT_DIR/.nightly.lock for a server database.",
    )
    max_attempts: int = Field(
        default=3, ge=1, description="Runs that may try one article before it is given up on."
    )
    window: int = Field(default=8, ge=1, description="Articles translated and summarized together.")
    group_threshold: float = Field(
        default=0.25, gt=0.0, le=1.0,
        description="Average similarity at which articles are one event in the digest.",
    )
    related_threshold: float = Field(
        default=0.10, ge=0.0, le=1.0,
        description="Similarity at which another event is listed as related coverage.",
    )
    evidence_sentences: int = Field(
        default=3, ge=1, le=3,
        description="Source sentences shown under each briefing sentence in digest.html.",
    )
    feed_min_words: int = Field(
        default=80, ge=0,
        description="A feed entry with fewer words of text is fetched from its link instead.",
    )
    fetch_timeout_s: float = Field(
        default=20.0, gt=0, allow_inf_nan=False,
        description="Deadline of one HTTP fetch as a whole (connect, headers and body).",
    )
    fetch_max_bytes: int = Field(default=5_000_000, ge=1, description="Largest feed or page.")
    fetch_max_redirects: int = Field(default=5, ge=0, description="Redirects followed per fetch.")
    fetch_max_per_feed: int = Field(
        default=50, ge=0, description="Teaser pages fetched per feed and run; the rest wait.")
    fetch_max_per_run: int = Field(
        default=200, ge=0, description="Teaser pages fetched per run (spread over the hosts).")
    fetch_allow: list[str] = Field(
        default_factory=list,
        description="Intranet hosts or networks (CIDR) that may be fetched although their "
        "addresses are loopback, private, link-local, …; none by default.",
    )
    user_agent: str = Field(default="briefing-nightly/0.1", min_length=1)
    log_json: bool = Field(default=False, description="One JSON object per event on stderr.")
    outlets: dict[str, str] = Field(
        default_factory=dict,
        description="Folder (or file, or source) -> outlet name shown for articles read from it.",
    )
    stories: bool = Field(
        default=True, description="Write story-<event>.json for every event of two or more "
        "articles (a story briefing and who says what) and show it in the digest.")
    teasers: Literal["mark", "skip"] = Field(
        default="mark", description="A fetched page that is only a teaser (paywall, too "
        "short): mark = brief it with a visible 'teaser only' mark; skip = do not brief it.")
    deliver: DeliverConfig = Field(default_factory=DeliverConfig,
                                   description="Where the digest is sent (e-mail).")

    @field_validator("fetch_allow")
    @classmethod
    def _fetch_allow(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            parse_allow_entry(entry)  # ValueError: neither a host nor a network
        return entries

    @model_validator(mode="after")
    def _thresholds(self) -> NightlyConfig:
        if self.related_threshold > self.group_threshold:
            raise ValueError("related_threshold must not exceed group_threshold")
        return self


class RayConfig(_Strict):
    """`briefing batch --engine ray`: how the work is spread over a Ray cluster."""

    address: str | None = Field(
        default=None,
        description="Cluster to join: 'auto' or HOST:PORT; null starts a local Ray instance.",
    )
    actors: int | None = Field(
        default=None, ge=1,
        description="Briefing actors (each loads both models once); null = the cluster's CPUs "
        "divided by threads_per_actor (GPUs when gpus_per_actor > 0).",
    )
    threads_per_actor: int = Field(
        default=1, ge=1, description="CPU threads each actor's models use (and reserve)."
    )
    gpus_per_actor: float = Field(default=0.0, ge=0.0, description="GPUs reserved per actor.")
    batch_size: int = Field(
        default=8, ge=1, description="Articles an actor translates and summarizes together."
    )
    connect_timeout_s: float = Field(
        default=30.0, gt=0,
        description="Seconds to wait for the cluster at 'address' to answer before giving up.",
    )


class Watchlist(_Strict):
    """One watchlist: names and terms an analyst follows (``watch:`` in the config)."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$",
                      description="Shown in the digest and the subject; one line of text.")
    terms: list[str] = Field(min_length=1, description="Names, words or phrases; matched on "
                             "whole words in the Dutch original and the English translation.")
    aliases: bool = Field(default=True, description="Also match the alias table's other names "
                          "(United States: VS, Verenigde Staten) and spelling variants "
                          "(Kataib: Kaitab).")

    @model_validator(mode="after")
    def _terms(self) -> Watchlist:
        cleaned = [t.strip() for t in self.terms]
        if any(not t or len(t) > 200 or any(ord(c) < 32 for c in t) for t in cleaned):
            raise ValueError("a term must be one line of 1 to 200 characters")
        self.__dict__["terms"] = cleaned
        return self


class AppConfig(_Strict):
    """Everything `briefing` can be configured with."""

    translation: TranslationConfig = TranslationConfig()
    summarization: SummarizationConfig = SummarizationConfig()
    ingest: IngestConfig = IngestConfig()
    runtime: RuntimeConfig = RuntimeConfig()
    support: SupportConfig = SupportConfig()
    nightly: NightlyConfig = NightlyConfig()
    ray: RayConfig = RayConfig()
    watch: list[Watchlist] = Field(default_factory=list, description="Watchlists: the digest "
                                   "opens with what they match.")
    watch_file: Path | None = Field(default=None, description="A YAML file with more "
                                    "watchlists (a list in the shape of watch:), shared "
                                    "between desks.")

    @property
    def offline(self) -> bool:
        """True when the hub must not be contacted (config or environment)."""
        env = os.environ.get("HF_HUB_OFFLINE", "") or os.environ.get("TRANSFORMERS_OFFLINE", "")
        return self.runtime.offline or env.strip().lower() in {"1", "true", "yes", "on"}


def parse_model_option(value: str) -> ModelSpec:
    """Turn a ``--translator``/``--summarizer`` value into a :class:`ModelSpec`.

    Args:
        value: a local directory, a hub id, or ``hub-id@revision``.
    """
    if Path(value).expanduser().is_dir():
        return ModelSpec(id=str(Path(value).expanduser().resolve()))
    model_id, _, revision = value.partition("@")
    return ModelSpec(id=model_id, revision=revision or None)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _dotted_to_nested(dotted: str, value: Any) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    node = nested
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return nested


MAX_CONFIG_BYTES = 1_000_000


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Merge a partial configuration into the defaults, key by key.

    A ``model`` section that names another ``id`` does not inherit the default model's
    pinned revision (it belongs to a different model); every other key falls back to its
    default, so ``summarization.model.revision=X`` alone keeps the default id.
    """
    defaults = AppConfig().model_dump()

    def merge(base: Any, override: Any, key: str) -> Any:
        if not isinstance(base, dict) or not isinstance(override, dict):
            return override
        if key == "model" and "id" in override and override["id"] != base.get("id"):
            base = {k: v for k, v in base.items() if k != "revision"}
        if key == "model" and override.get("backend") == "transformers" \
                and "quantization" not in override:
            base = {**base, "quantization": "none"}  # the exact path, not an int8 error
        merged = dict(base)
        for name, value in override.items():
            merged[name] = merge(base.get(name), value, name) if name in base else value
        return merged

    return merge(defaults, data, "")


def _known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _format_validation_error(error: ValidationError, origin: str) -> str:
    problems = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key"
            close = difflib.get_close_matches(str(item["loc"][-1]),
                                              _known_keys(AppConfig, item["loc"]), n=1)
            if close:
                prefix = ".".join(str(p) for p in item["loc"][:-1])
                message += f" (did you mean '{prefix + '.' if prefix else ''}{close[0]}'?)"
        problems.append(f"{where}: {message}")
    return f"invalid configuration in {origin}: " + "; ".join(problems)


def _read_config_text(path: Path) -> str:
    """The file's text, read with a size bound (``/dev/zero`` must not be read forever)."""
    with Path(path).open("rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {path} is over {MAX_CONFIG_BYTES:,} bytes; "
                          "is it the right file?")
    return data.decode("utf-8")


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"invalid YAML in config file {where}: {problem}"


def load_config(
    path: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> AppConfig:
    """Resolve the configuration: defaults < YAML file < dotted overrides.

    Args:
        path: a YAML file; ``None`` falls back to ``$BRIEFING_CONFIG`` or the built-in defaults.
        overrides: ``{"translation.max_input_tokens": 128, ...}``; values are parsed as YAML
            scalars when given as strings, so ``"128"`` becomes ``128``.

    Raises:
        ConfigError: unreadable file, invalid YAML, unknown key or invalid value.
    """
    if path is None and os.environ.get("BRIEFING_CONFIG"):
        path = Path(os.environ["BRIEFING_CONFIG"])
    data: dict[str, Any] = {}
    origin = "built-in defaults"
    if path is not None:
        origin = str(path)
        try:
            loaded = yaml.safe_load(_read_config_text(Path(path)))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {path}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(_yaml_problem(Path(path), exc)) from None
        except UnicodeDecodeError:
            raise ConfigError(f"config file {path} is not UTF-8 text") from None
        except OSError as exc:
            raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {path} must hold a mapping at the top level")
        data = _anchor_model_cache(loaded, Path(path))
    for dotted, value in (overrides or {}).items():
        if isinstance(value, str):
            with contextlib.suppress(yaml.YAMLError):
                value = yaml.safe_load(value)
        data = _deep_merge(data, _dotted_to_nested(dotted, value))
        origin = f"{origin} + overrides"
    try:
        config = AppConfig.model_validate(_with_defaults(data))
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, origin)) from None
    cache = config.runtime.model_cache
    if cache is not None:
        # A relative path from --set (or the environment) is relative to the working
        # directory; stored absolute so every later use agrees.
        config.runtime.model_cache = Path(cache).expanduser().absolute()
    return config


def _anchor_model_cache(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """A relative ``runtime.model_cache`` in a config file is relative to that file, so a
    command finds the same models from any working directory."""
    runtime = data.get("runtime")
    if not isinstance(runtime, dict) or not isinstance(runtime.get("model_cache"), str):
        return data
    cache = Path(runtime["model_cache"]).expanduser()
    if cache.is_absolute():
        return data
    anchored = (path.expanduser().absolute().parent / cache)
    return {**data, "runtime": {**runtime, "model_cache": str(anchored)}}


def config_to_yaml(config: AppConfig) -> str:
    """The resolved configuration as YAML (for ``--show-config`` and provenance)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
