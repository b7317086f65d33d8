"""Tooling around the layers: cross-backend comparison, export checks, the demo.

The core package (`ops`, `regions`, `layers`) never imports from here. Modules:

- `compare`: runs a `.keras` model under several backends and compares the
  numbers; `compare_worker` is its half that runs under one backend
  (`python -m keras_masked_relu.tools.compare_worker`).
- `export_check`: exports a model in every format and runs each artifact
  (`python -m keras_masked_relu.tools.export_check` checks one backend).
- `demo`: the main job behind `python -m keras_masked_relu demo`.
- `backend_process`: runs Python under one backend in a process of its own.
- `gradients`: vector-Jacobian products, written once per backend.
- `table`: plain-text result tables.

Importing this package imports no backend framework beyond what
`keras_masked_relu` itself does; `compare_worker`, `export_check`, `demo` and
`gradients` import the backend in use.
"""

from keras_masked_relu.tools.compare import CompareError, Report, compare

__all__ = ["CompareError", "Report", "compare"]
