"""The research-use disclaimer, kept in one place so every output carries the same words."""

from __future__ import annotations

DISCLAIMER = (
    "mrdguide is research software, not a medical device. Its outputs are estimates for research "
    "and discussion; they are not treatment recommendations and must not replace the treating "
    "team's judgement, the protocol documents, or an accredited laboratory report."
)

SHORT_DISCLAIMER = "Research use only. Not a medical device. Not a treatment recommendation."
