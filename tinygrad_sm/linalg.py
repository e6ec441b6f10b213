"""``tinygrad_sm.linalg``, as ``torch.linalg``: its functions are the rows of the one table
(``methods.TABLE``) whose ``namespace`` is ``"linalg"``, so they share the method and NumPy spellings."""

from __future__ import annotations

from .methods import functions as _table_functions

globals().update(_table_functions("linalg"))
__all__ = sorted(_table_functions("linalg"))
