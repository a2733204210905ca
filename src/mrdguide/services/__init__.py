"""Application services: every workflow that touches the registry or files.

The CLI and the web app are siblings on top of this layer; both call services only. A service
function takes a :class:`~mrdguide.store.Registry` (a unit of work, from
:meth:`Workspace.registry`) or plain values, and returns data. Modules:

==========================  ==================================================="""

from mrdguide.services.workspace import Workspace, open_workspace

__all__ = ["Workspace", "open_workspace"]
