"""mrdguide: MRD-guided risk stratification and outcome analysis in childhood ALL.

Research use only; not a medical device. See :data:`mrdguide.DISCLAIMER`.

The top level re-exports the everyday entry points; each subpackage (``survival``, ``mrd``,
``genetics``, ``protocols``, ``risk``, ``simulate``, ``store``, ``io``) has its own curated
``__all__``.
"""

from mrdguide._disclaimer import DISCLAIMER
from mrdguide._version import __version__
from mrdguide.domain import (
    Case,
    GeneticProfile,
    MRDLevel,
    MRDMeasurement,
    Patient,
    case_from_dict,
    case_to_dict,
)
from mrdguide.errors import (
    InputError,
    MRDGuideError,
    MRDGuideWarning,
    UnitError,
)
from mrdguide.genetics import classify_genetics, parse_karyotype
from mrdguide.mrd import interpret_flow, interpret_ngs, interpret_pcr, kinetics
from mrdguide.protocols import assess, available_protocols, evaluate, load_ruleset

__all__ = [
    "DISCLAIMER",
    "Case",
    "GeneticProfile",
    "InputError",
    "MRDGuideError",
    "MRDGuideWarning",
    "MRDLevel",
    "MRDMeasurement",
    "Patient",
    "UnitError",
    "__version__",
    "assess",
    "available_protocols",
    "case_from_dict",
    "case_to_dict",
    "classify_genetics",
    "evaluate",
    "interpret_flow",
    "interpret_ngs",
    "interpret_pcr",
    "kinetics",
    "load_ruleset",
    "parse_karyotype",
]
