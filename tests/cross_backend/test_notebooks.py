"""Every notebook in `notebooks/` runs from top to bottom without an error.

Each is executed in a fresh kernel with nbclient, as `make notebooks` does, and
nothing is written back. A notebook chooses its own backend (`KERAS_BACKEND` is
removed from the kernel's environment); the cross-backend one starts the others.
"""

import pathlib

import nbclient
import nbformat
import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"


def test_there_are_notebooks():
    assert len(sorted(NOTEBOOKS.glob("*.ipynb"))) >= 3


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebook_runs(name, monkeypatch):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": NOTEBOOKS}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
