"""The cohort registry (adapter): SQLAlchemy models, Alembic migrations, repositories.

Scripts::

    from mrdguide.store import open_registry

    with open_registry(url, actor="me") as reg:
        reg.add_cases(cases, source="cohort.csv")

Long-running processes build the engine once and a :class:`Registry` (a unit of work) per
request::

    engine = make_engine(url)
    check_schema(engine)
    reg = Registry(engine, actor=user)
    with reg.transaction():
        ...
"""

from mrdguide.store._chain import ChainBreak
from mrdguide.store._engine import make_engine
from mrdguide.store._records import CaseView, View
from mrdguide.store._types import ImportSummary, MRDVersion, PatientSummary, ReviewEvent, UserInfo
from mrdguide.store.audit import AuditEntry
from mrdguide.store.config import resolve_database_url
from mrdguide.store.registry import Registry, open_registry
from mrdguide.store.schema import (
    SchemaStatus,
    check_schema,
    head_revision,
    schema_status,
    upgrade_schema,
)
from mrdguide.store.users import UserStore

__all__ = [
    "AuditEntry",
    "CaseView",
    "ChainBreak",
    "ImportSummary",
    "MRDVersion",
    "PatientSummary",
    "Registry",
    "ReviewEvent",
    "SchemaStatus",
    "UserInfo",
    "UserStore",
    "View",
    "check_schema",
    "head_revision",
    "make_engine",
    "open_registry",
    "resolve_database_url",
    "schema_status",
    "upgrade_schema",
]
