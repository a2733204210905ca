"""Application services: every workflow that touches the registry or files.

The CLI and the web app are siblings on top of this layer; both call services only. A service
function takes a :class:`~mrdguide.store.Registry` (a unit of work, from
:meth:`Workspace.registry`) or plain values, and returns data. Modules:

========================  ==========================================================
``services.registry``     initialise, import cohort files, export the cohort
``services.cohort``       the patient list and one patient's record
``services.patient_query``filters over the patient list (``--where``, a protocol's group)
``services.assess``       rule sets, case files, assessment and stored assignments
``services.mrd``          interpret flow/FCS, RQ-PCR plates and AIRR files; store results
``services.relapse_model``fit, save, load, predict, thresholds, validate
``services.analyze``      outcome tables by risk group or MRD band
``services.report``       cohort and patient reports (HTML, PDF)
``services.simulate``     synthetic cohorts and in-silico trials
``services.pipeline``     the main job (``mrdguide demo``)
========================  ==========================================================
"""

from mrdguide.services.pipeline import DemoConfig, DemoResult, run_demo
from mrdguide.services.workspace import Workspace, open_workspace

__all__ = ["DemoConfig", "DemoResult", "Workspace", "open_workspace", "run_demo"]
