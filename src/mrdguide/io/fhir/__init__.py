"""FHIR R4B/R5 interchange: MRD results, reports, risk assessments and provenance as Bundles.

Public API::

    from mrdguide.io.fhir import build_bundle, dump_bundle, read_bundles, load_coding_map

Building is pure (plain values in, bundle JSON out); fhir.resources (the ``fhir`` extra) is
imported only to validate and to read.
"""

from mrdguide.io.fhir._codes import BASE, FHIRVersion, ObservationStatus, local_code_systems
from mrdguide.io.fhir._codingmap import CodingMap, load_coding_map, parse_coding_map
from mrdguide.io.fhir._export import build_bundle, collection_date, urn
from mrdguide.io.fhir._import import ImportedResult, ParsedFile, read_mrd_observations
from mrdguide.io.fhir._records import (
    BundleInput,
    Estimate,
    PresentedForm,
    ResultRecord,
    ReviewStep,
    RiskRecord,
)
from mrdguide.io.fhir._validate import dump_bundle, fhir_available, validate_bundle

__all__ = [
    "BASE",
    "BundleInput",
    "CodingMap",
    "Estimate",
    "FHIRVersion",
    "ImportedResult",
    "ObservationStatus",
    "ParsedFile",
    "PresentedForm",
    "ResultRecord",
    "ReviewStep",
    "RiskRecord",
    "build_bundle",
    "collection_date",
    "dump_bundle",
    "fhir_available",
    "load_coding_map",
    "local_code_systems",
    "parse_coding_map",
    "read_mrd_observations",
    "urn",
    "validate_bundle",
]
