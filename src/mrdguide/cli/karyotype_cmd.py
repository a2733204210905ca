"""``mrdguide karyotype STRING``: parse an ISCN karyotype and show what it implies."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import (
    OutputFormat,
    console,
    disclaimer_footer,
    emit_json,
    reword,
    table,
)
from mrdguide.domain import GeneticProfile
from mrdguide.genetics import (
    GeneticClassification,
    Karyotype,
    PloidyBoundaries,
    classify,
    parse_karyotype,
)

_KARYOTYPE = typer.Argument(..., help="ISCN karyotype, e.g. '47,XY,+21c[20]'.")
_FORMAT = typer.Option(OutputFormat.TEXT, "--format", help="Output format: text or json.")
_HYPO_MIN = typer.Option(
    40,
    "--high-hypodiploid-min",
    help="Lowest modal number of the high-hypodiploid class (40; some groups use 44).",
)
_IMMUNO = typer.Option(None, "--immunophenotype", help="B or T (default: B-ALL assumed).")

_CLASSIFICATION_FIELDS = (
    "who_subtype",
    "icc_subtype",
    "uk_tier",
    "cog_tier",
    "stjude_tier",
    "ukall_heh",
    "high_risk_lesions",
)


def _payload(k: Karyotype, c: GeneticClassification) -> dict[str, Any]:
    """JSON payload: the karyotype, key classification fields, disclaimer."""
    out = k.to_dict()
    full = c.to_dict()
    out["classification"] = {name: full[name] for name in _CLASSIFICATION_FIELDS}
    out["classification"]["notes"] = full["notes"]
    out["disclaimer"] = SHORT_DISCLAIMER
    return out


#: Classification fields for people (notes name them by these words too).
_NAMES = {
    "who_subtype": "WHO subtype",
    "icc_subtype": "ICC subtype",
    "uk_tier": "UK genetic risk tier",
    "cog_tier": "COG genetic risk group",
    "stjude_tier": "St Jude genetic risk group",
    "ukall_heh": "UKALL high-hyperdiploid risk",
    "high_risk_lesions": "high-risk lesions",
}


def _words(value: object) -> str:
    if value is None or value == ():
        return "–"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value).replace("_", " ")


def _show(k: Karyotype, c: GeneticClassification) -> None:
    """Readable rich summary with notes and the disclaimer."""
    out = console()
    rows: list[tuple[str, object]] = [
        ("modal chromosome number", k.modal_chromosome_number),
        ("ploidy class", k.ploidy_class),
        ("sex chromosomes", k.sex_chromosomes),
        ("lesions", ", ".join(k.lesions) or "none"),
        ("gains", ", ".join(f"+{g}" for g in k.gains) or "none"),
        ("losses", ", ".join(f"-{g}" for g in k.losses) or "none"),
        ("constitutional", ", ".join(k.constitutional) or "none"),
        ("structural", ", ".join(k.structural) or "none"),
        ("clones", "; ".join(f"{cl.text}" for cl in k.clones)),
    ]
    rows += [(_NAMES[name], getattr(c, name)) for name in _CLASSIFICATION_FIELDS]
    t = table(None, ("", ""), show_header=False)
    for name, value in rows:
        shown = _words(value) if name == "ploidy class" or name in _NAMES.values() else value
        t.add_row(name, escape("–" if shown is None else str(shown)))
    out.print(f"[bold]Karyotype {escape(k.text)}[/bold]")
    out.print(t)
    for note in c.notes:
        out.print(f"[yellow]note:[/yellow] {escape(reword(note, _NAMES))}")
    out.print(disclaimer_footer())


def register(app: typer.Typer) -> None:
    """Add the ``karyotype`` command to ``app``."""

    @app.command("karyotype")
    def karyotype_command(
        karyotype: str = _KARYOTYPE,
        output: OutputFormat = _FORMAT,
        high_hypodiploid_min: int = _HYPO_MIN,
        immunophenotype: str | None = _IMMUNO,
    ) -> None:
        """Parse an ISCN karyotype: modal number, ploidy class, lesions and risk tiers."""
        # A malformed karyotype raises KaryotypeError (an InputError): main maps it to exit 3.
        bounds = PloidyBoundaries(high_hypodiploid_min=high_hypodiploid_min)
        k = parse_karyotype(karyotype, boundaries=bounds)
        c = classify(
            GeneticProfile(karyotype=karyotype),
            immunophenotype=immunophenotype,
            boundaries=bounds,
        )
        if output is OutputFormat.JSON:
            emit_json(_payload(k, c))
        else:
            _show(k, c)
