"""The research-use disclaimer lives in one place and is never phrased as an order."""

from __future__ import annotations

from mrdguide import DISCLAIMER
from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli.main import main


def test_disclaimer_says_research_use_and_not_a_device() -> None:
    """Both disclaimer texts state research use and not a medical device."""
    for text in (DISCLAIMER, SHORT_DISCLAIMER):
        assert "research" in text.lower()
        assert "not a medical device" in text.lower()


def test_cli_help_carries_disclaimer(capsys: object) -> None:
    """`mrdguide --help` shows the short disclaimer."""
    code = main(["--help"])
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert code == 0
    assert "Research use only" in " ".join(out.split())
