"""The tutorials in docs/tutorials are executed on every test run, so they never rot.

Each notebook asserts its own numbers (published transition points, the 0.625/alpha
asymptote, the verdicts of a seeded comparison, the branches of a scan); a failing
assertion or any exception fails the test. The notebooks are stored without outputs.
"""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

TUTORIALS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))


def test_the_two_tutorials_are_there():
    assert [p.name for p in NOTEBOOKS] == ["01_solve_and_transitions.ipynb", "02_compare_and_scan.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
    """Run every cell in a fresh kernel (working directory: a temporary folder)."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
