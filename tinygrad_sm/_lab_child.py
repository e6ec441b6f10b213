"""The child process's entry point: ``python -m tinygrad_sm._lab_child FD SPEC`` (see ``isolation``).
A module of its own, which the package never imports, so ``-m`` runs it fresh."""

import sys

from tinygrad_sm.isolation import _child_main

if __name__ == "__main__":
    _child_main(sys.argv[1:])
