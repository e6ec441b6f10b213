"""``Optimizer``: parameter groups, per-parameter state and ``state_dict``, shaped as PyTorch's.

``param_groups`` is a list of dicts, each with ``'params'`` (a list of Tensors) and every option of the
optimizer (``'lr'``, ...), so a scheduler or the user can change an option between steps. ``state``
maps a parameter to a dict of NumPy arrays and numbers (Adam's ``'exp_avg'``...).

Updates are computed on NumPy arrays in the parameter's dtype, in the order PyTorch's single-tensor
(``foreach=False``) code uses, and written with ``Tensor.copy_`` under ``no_grad`` (the version counter
is bumped, so a graph that saved the old values notices). Gradient arrays are never modified:
``.grad`` may share its array with another tensor.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

import numpy as np

from ..autograd import _mode, enable_grad, no_grad
from ..nn.parameter import Parameter
from ..tensor import Tensor, constant

ParamsArg = Iterable[Tensor] | Iterable[dict[str, Any]]


class ParamState(MutableMapping[Tensor, dict[str, Any]]):
    """``optimizer.state[param]``: a dict keyed by the parameter itself (Tensors compare elementwise,
    so they cannot be ordinary dict keys; this keys by identity)."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Tensor, dict[str, Any]]] = {}

    def __getitem__(self, param: Tensor) -> dict[str, Any]:
        return self._by_id[id(param)][1]

    def __setitem__(self, param: Tensor, value: dict[str, Any]) -> None:
        self._by_id[id(param)] = (param, value)

    def __delitem__(self, param: Tensor) -> None:
        del self._by_id[id(param)]

    def __contains__(self, param: object) -> bool:
        return id(param) in self._by_id

    def __iter__(self) -> Iterator[Tensor]:
        return (param for param, _ in self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


class Optimizer:
    """Base class: ``Optimizer(params, defaults)`` with ``params`` an iterable of Tensors or of dicts
    (``{'params': [...], 'lr': 0.1}``: per-group options override ``defaults``)."""

    def __init__(self, params: ParamsArg, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state = ParamState()
        if isinstance(params, Tensor):  # iterating it would give its rows, not one parameter
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or of dicts, got a "
                f"Tensor of shape {params.shape}; pass [tensor]"
            )
        if callable(getattr(params, "parameters", None)):  # a Module: the habit is model.parameters()
            raise TypeError(
                f"{type(self).__name__} got the module itself ({type(params).__name__}); pass its "
                f"parameters: {type(self).__name__}(model.parameters(), ...)"
            )
        items: list[Any] = list(params)
        if not items:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        if any(isinstance(item, dict) for item in items):
            if not all(isinstance(item, dict) for item in items):
                raise TypeError(f"{type(self).__name__}: params mixes dicts (parameter groups) and other items")
            groups: list[dict[str, Any]] = items
        else:
            groups = [{"params": items}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group (``{'params': [...], option: value}``); options not given take the defaults."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{type(self).__name__}: a parameter group must be a dict with a 'params' entry")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        known = {id(p) for group in self.param_groups for p in group["params"]}
        for index, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(f"{type(self).__name__} parameter {index} is a {type(param).__name__}, not a Tensor")
            if param._node is not None:
                raise ValueError(
                    f"{type(self).__name__} parameter {index} (shape {param.shape}) is not a leaf: it was made "
                    f"by op '{param._node.name}' (for example by `w = w - lr * w.grad`), so it never receives "
                    "a .grad; pass the original parameter tensors"
                )
            # a Parameter frozen on purpose (requires_grad = False, as the autograd tutorial freezes all but a new
            # classifier and still passes model.parameters()) is kept and skipped by step(), as PyTorch; a plain
            # tensor that never required grad is the learner's slip that would train nothing: refused
            if not param.requires_grad and not isinstance(param, Parameter):
                raise ValueError(
                    f"{type(self).__name__} parameter {index} ({param.name or 'unnamed'}, shape "
                    f"{param.shape}) does not require grad, so it would never be updated (create it with "
                    "requires_grad=True, or as an nn.Parameter)"
                )
            if id(param) in known:
                raise ValueError(
                    f"{type(self).__name__}: parameter {index} ({param.name or 'unnamed'}) appears in "
                    "more than one parameter group (or twice in one)"
                )
            known.add(id(param))
        unknown = (
            set(param_group)
            - set(self.defaults)
            - {"params", "initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"}
        )
        if unknown:
            raise TypeError(
                f"{type(self).__name__}: unknown option(s) {', '.join(sorted(unknown))} in a "
                f"parameter group; known: {', '.join(self.defaults)}"
            )
        group = {**self.defaults, **param_group, "params": params}
        self._check_options(group)
        self.param_groups.append(group)

    def _check_options(self, group: dict[str, Any]) -> None:
        if not group["lr"] >= 0:
            raise ValueError(f"learning rate must be >= 0, got {group['lr']!r}")
        for name in ("weight_decay", "momentum", "eps", "lr_decay"):
            if name in group and not group[name] >= 0:
                raise ValueError(f"{type(self).__name__}: {name} must be >= 0, got {group[name]!r}")

    # ------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every ``.grad`` to None (``set_to_none=False``: to a fresh array of zeros)."""
        if _mode.tracer is not None:  # tinygrad_sm.compile: these .grad are None again
            _mode.tracer.on_zero_grad([p for group in self.param_groups for p in group["params"]])
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none or param.grad is None:
                    param.grad = None
                else:
                    param.grad = constant(np.zeros_like(param.grad._data))  # (zeros: a constant for compile)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; ``closure`` (re-evaluates the loss and calls
        backward) is run first, with grad enabled, and its result returned."""
        if _mode.tracer is not None and closure is None:  # tinygrad_sm.compile: one recorded call of step()
            return _mode.tracer.on_optimizer_step(self)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    grad = np.asarray(param.grad._data, dtype=param.dtype)
                    if group.get("maximize"):
                        grad = -grad
                    state = self.state.get(param)
                    if state is None:
                        state = self.state[param] = {}
                    param.copy_(self._update(param._data, grad, state, group))
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        """The new value of one parameter (``grad`` is a fresh or read-only array: never write it)."""
        raise NotImplementedError

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {...}}, 'param_groups': [{options..., 'params': [indices]}]}`` with
        parameters numbered across groups in order, as PyTorch; arrays are copies."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            indices = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                indices.append(index_of[id(param)])
            groups.append({**{k: copy.deepcopy(v) for k, v in group.items() if k != "params"}, "params": indices})
        state = {
            index_of[id(param)]: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in values.items()}
            for param, values in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state saved by ``state_dict`` (for the same parameters, in the same
        groups). Group count, group sizes and state array shapes are checked before anything changes."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(groups)} parameter groups, the optimizer has {len(self.param_groups)}"
            )
        params_by_index: dict[int, Tensor] = {}
        for number, (saved, group) in enumerate(zip(groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded parameter group {number} has {len(saved['params'])} parameters, the "
                    f"optimizer's has {len(group['params'])}"
                )
            params_by_index.update(zip(saved["params"], group["params"]))
        new_state = ParamState()
        for index, values in state_dict["state"].items():
            param = params_by_index.get(int(index))
            if param is None:
                raise ValueError(f"loaded state refers to parameter {index}, which no group holds")
            restored = {}
            for key, value in values.items():
                if isinstance(value, np.ndarray) and value.ndim:
                    if value.shape != param.shape:
                        raise ValueError(
                            f"loaded state {key!r} of parameter {index} has shape {value.shape}, "
                            f"the parameter has {param.shape}"
                        )
                    value = value.astype(param.dtype, copy=True)
                restored[key] = value
            new_state[param] = restored
        for saved, group in zip(groups, self.param_groups):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items()) if key != "params"]
        return "\n".join(lines) + "\n)"
