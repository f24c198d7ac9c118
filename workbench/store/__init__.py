"""The workspace store: runs (directories + a SQLite index) of one workspace root.

The store knows files and records, not what a model or an evaluation means. Use
:func:`get_store` for the current workspace (see :func:`get_workspace`).
"""

from workbench.store._records import RUN_STATUSES, RunRecord
from workbench.store._store import ACTIVE_ONLY, ALL, DELETED_ONLY, Store, get_store, rebuild_index
from workbench.store._workspace import get_workspace, set_workspace

__all__ = [
    "ACTIVE_ONLY",
    "ALL",
    "DELETED_ONLY",
    "RUN_STATUSES",
    "RunRecord",
    "Store",
    "get_store",
    "get_workspace",
    "rebuild_index",
    "set_workspace",
]
