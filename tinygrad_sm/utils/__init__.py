"""PyTorch's ``torch.utils`` for what courses use of it: ``tinygrad_sm.utils.data`` (datasets and loaders)."""

from . import data

__all__ = ["data"]
