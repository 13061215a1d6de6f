"""The notebooks in demos/: each runs from a clean kernel without an error, shows its graph
pictures and plots inline, and is committed without outputs."""

import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

DEMOS = Path(__file__).resolve().parent.parent / "demos"
NOTEBOOKS = sorted(DEMOS.glob("*.ipynb"))
KERNEL = "minigrad-test"


def test_the_walkthrough_and_both_failure_demos_are_notebooks():
    assert {"micrograd.ipynb", "vanishing.ipynb", "dying_relu.ipynb"} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_committed_notebook_carries_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}, cell {index}: strip its outputs"
            assert "execution" not in cell.metadata, f"{path.name}, cell {index}: strip its timings"
        assert not cell.get("attachments"), f"{path.name}, cell {index}: an attachment"


def kernel_manager(folder: Path) -> AsyncKernelManager:
    """A kernel on this very interpreter (the venv's), whatever kernel specs the machine has.

    The name 'python3' would find a user's or the system's kernel spec first, which may run
    another Python without minigrad."""
    write_kernel_spec(folder / "kernels" / KERNEL)  # its argv starts with sys.executable
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")], ensure_native_kernel=False)
    return AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)


@pytest.fixture
def jupyter_home(tmp_path, monkeypatch):
    """Keep the kernel's connection file, IPython profile and history out of the home folder."""
    for variable, folder in [("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
        (tmp_path / folder).mkdir()
        monkeypatch.setenv(variable, str(tmp_path / folder))
    return tmp_path


def execute(path: Path, folder: Path):
    """Run every cell in a fresh kernel whose working folder is ``folder``; raise on an error.

    A last cell is added to the copy in memory to report which interpreter ran it."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    work = folder / "work"
    work.mkdir()
    client = NotebookClient(nb, km=kernel_manager(folder), timeout=120, resources={"metadata": {"path": str(work)}})
    client.execute(cleanup_kc=True)  # shut the kernel down and close its sockets, though we made its manager
    return nb, work


def outputs(nb, kind: str) -> list:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == kind]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_notebook_runs_from_a_clean_kernel_and_shows_its_graphs_and_plots_inline(path, jupyter_home):
    if shutil.which("dot") is None:
        pytest.fail(
            "the notebooks draw graphs with Graphviz's `dot` program, which is missing: `./run test` "
            "installs it, or run `sudo apt-get install graphviz` (macOS: `brew install graphviz`)",
            pytrace=False,
        )
    nb, work = execute(path, jupyter_home)
    assert outputs(nb, "error") == []
    assert [o.text for o in outputs(nb, "stream") if o.name == "stderr"] == []  # no warnings either
    data = [o.data for kind in ("display_data", "execute_result") for o in outputs(nb, kind)]
    svgs = [d["image/svg+xml"] for d in data if "image/svg+xml" in d]
    assert svgs and all("<svg" in svg for svg in svgs), "draw_graph(...) should show as an SVG"
    assert any("image/png" in d for d in data), "matplotlib should plot inline"
    assert nb.cells[-1].outputs[0].text.strip() == sys.executable
    assert list(work.iterdir()) == [], "a notebook should write no files"
