"""Checkpoints: ``save``/``load`` a module's state as an ``.npz`` file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .module import Module, _check_names_and_shapes

PathLike = str | os.PathLike


def save(module: Module, path: PathLike) -> Path:
    """Write ``module.state_dict()`` to ``path`` (.npz); returns the path.

    The arrays go to a temp file in the same folder that then replaces ``path`` atomically
    (``os.replace``), so an interrupted save never leaves a corrupt checkpoint behind.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"checkpoint path must end in .npz (np.savez adds it otherwise), got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **module.state_dict())
        os.replace(temp_name, path)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    return path


def load(module: Module, path: PathLike) -> Module:
    """Load a checkpoint written by ``save`` into ``module`` in place; returns the module.

    Pickled objects are refused (``allow_pickle=False``): a checkpoint holds plain arrays only.
    Names and shapes are checked as in ``Module.load_state_dict``.
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {}
        for name in archive.files:
            try:
                arrays[name] = archive[name]
            except ValueError as error:
                raise ValueError(f"checkpoint {path}: entry {name!r} holds pickled Python objects, "
                                 "which are refused for safety (a checkpoint must hold plain arrays)") from error
    parameters = module._state_tensors()  # parameters and persistent buffers, as state_dict saves
    _check_names_and_shapes(parameters, arrays, source=f"checkpoint {path}")
    module.load_state_dict(arrays)
    return module
