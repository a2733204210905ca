"""Application services: every workflow that touches the registry or files.

The CLI and the web app are siblings on top of this layer; both call services only. A service
function takes a :class:`~mrdguide.store.Registry` (a unit of work, from
:meth:`Workspace.registry`) or plain values, and returns data. Modules:

==========================  ==========================================================
``services.workspace``      open a registry folder: settings, engine, schema check
``services.registry``       initialise, import cohort files, export the cohort
``services.cohort``         the patient list and one patient's record
``services.assess``         rule sets, case files, assessment and stored assignments
``services.mrd``            interpret flow/FCS, RQ-PCR plates and AIRR files; store results
``services.review``         result history, submit/authorise/return, the review queue
``services.users``          users, roles, passwords and API tokens
``services.audit``          the audit trail and its hash-chain verification
``services.genotype``       the genotype-specific MRD model for reports
``services.relapse_model``  fit, save, load, predict, thresholds, validate
``services.analyze``        outcome tables by risk group or MRD band
``services.report``         cohort and patient reports (HTML, PDF)
``services.simulate``       synthetic cohorts and in-silico trials
``services.interchange``    validate and store records imported from other systems
``services.fhir``           FHIR R4B/R5 export of patients and cohort; MRD import
``services.redcap``         REDCap dictionary/record import, project export, API pull
``services.files``          0600 atomic writes of files holding patient data
``services.pipeline``       the main job (``mrdguide demo``)
==========================  ==========================================================
"""

from mrdguide.services.workspace import Workspace, open_workspace

__all__ = ["Workspace", "open_workspace"]
