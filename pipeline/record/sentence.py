"""A summary sentence and its claims: one type in ``<id>.json``, the digest and report.json."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from pipeline.record.base import Record

SupportLabel = Literal["supported", "partial", "unsupported", "no-claims"]
ClaimStatus = Literal["supported", "partial", "unsupported", "repeated"]
ConsistencyLabel = Literal["consistent", "inconsistent", "not-checked"]
REPEATED = "repeated"  # the status of a name the article has, given twice in two roles


def is_marked(supported: bool, status: str | None) -> bool:
    """Whether a claim is marked: not in the article (or partly), or repeated in two roles."""
    return not supported or status == REPEATED


class Claim(Record):
    """One name or figure of a summary sentence: offsets into the sentence's ``text`` and
    whether the article contains it. ``supported`` is required: a claim whose support is
    unknown is an error, never read as supported. Status ``repeated``: the article has the
    name, but the sentence names it twice in two roles; it is marked all the same."""

    text: str
    label: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    supported: bool
    status: ClaimStatus | None = None  # written since schema 2; older files lack it
    matched: str | None = None  # the article's wording
    matched_in: Literal["en", "nl"] | None = None
    reason: str | None = None
    checks: dict[str, dict] | None = None

    @property
    def marked(self) -> bool:
        """Whether the claim is marked (:func:`is_marked`)."""
        return is_marked(self.supported, self.status)

    @model_validator(mode="after")
    def _in_order(self):
        return _span_in_order(self)


class ClaimSpan(Record):
    """What marking a claim needs, from any JSON object holding one (a digest's, a story's):
    ``supported`` is required there too."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    supported: bool
    status: ClaimStatus | None = None

    @property
    def marked(self) -> bool:
        """Whether the claim is marked (:func:`is_marked`)."""
        return is_marked(self.supported, self.status)

    @model_validator(mode="after")
    def _in_order(self):
        return _span_in_order(self)


def _span_in_order(claim: Claim | ClaimSpan) -> Claim | ClaimSpan:
    """A claim's offsets as marking needs them: ``end`` not before ``start``."""
    if claim.end < claim.start:
        raise ValueError(f"end {claim.end} is before start {claim.start}")
    return claim


class ClaimBrief(Record):
    """A claim as listed under a sentence's ``unsupported`` (and a dropped sentence's)."""

    text: str
    label: str
    reason: str | None = None


class SummarySentence(Record):
    """One sentence of the summary: its evidence (indices into the briefing's ``sentences``),
    its claims and their support, and the optional consistency check (absent: not checked)."""

    text: str
    evidence: list[int]
    support: SupportLabel
    claims: list[Claim]
    unsupported: list[ClaimBrief]
    placeholders: int = Field(0, ge=0)
    consistency: ConsistencyLabel = "not-checked"
    consistency_score: float | None = None
    consistency_reason: str | None = None
    consistency_premise: list[int] | None = None


class StoryEvidence(Record):
    """A story sentence's evidence: a sentence (index into its ``sentences``) of one member
    article."""

    article: str
    sentence: int = Field(ge=0)


class StoryClaim(Claim):
    """A claim of a story sentence, checked against the union of the members, with the
    outlets whose articles contain it."""

    outlets: list[str]


class StorySentence(SummarySentence):
    """A sentence of a story briefing (``story.json``): the summary sentence type, its
    evidence across the member articles, the outlets that carry it, and ``single_outlet``
    when its claims come from one outlet only."""

    evidence: list[StoryEvidence]  # type: ignore[assignment]  (across articles)
    claims: list[StoryClaim]  # type: ignore[assignment]
    outlets: list[str]
    single_outlet: bool = False
