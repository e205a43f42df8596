"""The analysts' notebooks: stored without outputs, as ``notebooks/build.py`` writes them, and each
runs top to bottom on the bundled data within a short time limit.

The kernel is this interpreter (``sys.executable``) through a kernelspec written for the test,
so no kernelspec needs installing and the notebooks run in the project's environment.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL = "carepattern-test"
CELL_TIMEOUT = 180
"""Seconds any one cell may take."""
NOTEBOOK_BUDGET = 240
"""Seconds a whole notebook may take."""


def builder() -> ModuleType:
    """``notebooks/build.py`` as a module."""
    spec = importlib.util.spec_from_file_location("notebook_builder", NOTEBOOKS / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NAMES = sorted(builder().NOTEBOOKS)


def test_every_notebook_is_built_and_stored() -> None:
    assert NAMES == ["01_whole_picture", "02_tuning_weights", "03_town"]
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_as_built_and_without_outputs(name: str) -> None:
    stored = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(stored)
    cells = builder().NOTEBOOKS[name]
    assert [(c.cell_type, c.source) for c in stored.cells] == [(c.cell_type, c.source) for c in cells]
    for cell in stored.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """Kernelspecs holding one kernel: this interpreter running ipykernel."""
    folder = tmp_path_factory.mktemp("kernels")
    (folder / KERNEL).mkdir()
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "carepattern tests",
        "language": "python",
    }
    (folder / KERNEL / "kernel.json").write_text(json.dumps(spec))
    return KernelSpecManager(kernel_dirs=[str(folder)])


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(
    name: str, kernels: KernelSpecManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernels)
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    started = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - started
    assert elapsed < NOTEBOOK_BUDGET, f"{name} took {elapsed:.0f} s"
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
