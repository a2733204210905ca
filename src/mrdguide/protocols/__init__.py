"""Protocol rule sets as data and a pure, total engine that explains every assignment.

>>> from mrdguide.protocols import available_protocols, load_ruleset
>>> "ukall2003" in available_protocols()
True
"""

from mrdguide.protocols.engine import (
    ConditionResult,
    RiskAssignment,
    assess,
    compare,
    evaluate,
    evaluate_facts,
)
from mrdguide.protocols.facts import Fact, Facts, derive_facts
from mrdguide.protocols.loader import available_protocols, load_ruleset, parse_ruleset
from mrdguide.protocols.schema import (
    NOT_ASSIGNABLE,
    CaveatRule,
    Condition,
    Parameter,
    Rule,
    RuleSet,
    TimepointSpec,
)

__all__ = [
    "NOT_ASSIGNABLE",
    "CaveatRule",
    "Condition",
    "ConditionResult",
    "Fact",
    "Facts",
    "Parameter",
    "RiskAssignment",
    "Rule",
    "RuleSet",
    "TimepointSpec",
    "assess",
    "available_protocols",
    "compare",
    "derive_facts",
    "evaluate",
    "evaluate_facts",
    "load_ruleset",
    "parse_ruleset",
]
