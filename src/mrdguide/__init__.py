"""mrdguide: MRD-guided risk stratification and outcome analysis in childhood ALL.

Research use only; not a medical device. See :data:`mrdguide.DISCLAIMER`.
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
    "case_from_dict",
    "case_to_dict",
]
