"""The cohort registry (adapter): SQLAlchemy models, Alembic migrations, repositories.

Public API::

    from mrdguide.store import open_registry, Registry

    with open_registry(url, create=True, actor=None) as reg:
        reg.add_cases(cases, source="cohort.csv")
"""

from mrdguide.store.audit import AuditEntry
from mrdguide.store.config import resolve_database_url
from mrdguide.store.registry import ImportSummary, PatientSummary, Registry, open_registry

__all__ = [
    "AuditEntry",
    "ImportSummary",
    "PatientSummary",
    "Registry",
    "open_registry",
    "resolve_database_url",
]
