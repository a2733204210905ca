"""Pure MRD assay interpretation: RQ-PCR (EuroMRD), flow cytometry, NGS clonotypes, kinetics.

Each interpreter returns a frozen result whose ``.measurement`` is an
:class:`~mrdguide.domain.MRDMeasurement`; the result also keeps per-marker (PCR) or per-clone
(NGS) detail. No I/O: file readers live in :mod:`mrdguide.io`.
"""

from mrdguide.mrd.flow import DEFAULT_LLOQ_EVENTS, DEFAULT_LOD_EVENTS, FlowResult, interpret_flow
from mrdguide.mrd.kinetics import Bound, KineticStep, MRDKinetics, kinetics
from mrdguide.mrd.ngs import (
    CloneResult,
    Clonotype,
    CountBasis,
    NGSCriteria,
    NGSResult,
    NGSSample,
    hamming_within,
    index_clones,
    interpret_ngs,
)
from mrdguide.mrd.pcr import (
    PCRCriteria,
    PCRMarkerResult,
    PCRResult,
    StandardCurve,
    Well,
    WellType,
    fit_standard_curve,
    interpret_pcr,
)

__all__ = [
    "DEFAULT_LLOQ_EVENTS",
    "DEFAULT_LOD_EVENTS",
    "Bound",
    "CloneResult",
    "Clonotype",
    "CountBasis",
    "FlowResult",
    "KineticStep",
    "MRDKinetics",
    "NGSCriteria",
    "NGSResult",
    "NGSSample",
    "PCRCriteria",
    "PCRMarkerResult",
    "PCRResult",
    "StandardCurve",
    "Well",
    "WellType",
    "fit_standard_curve",
    "hamming_within",
    "index_clones",
    "interpret_flow",
    "interpret_ngs",
    "interpret_pcr",
    "kinetics",
]
