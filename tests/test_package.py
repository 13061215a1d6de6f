"""The distribution as a new user gets it: the wheel in a fresh virtual environment, in an empty
folder outside the checkout, runs the command line and writes what a clone writes; the sdist holds
the package, its licence and no tests it cannot run.

Slow (a venv and an install from the package registry): ``./run test -m "not slow"`` skips it.
"""

import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from minigrad import __version__, cli

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(*command: object, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist, and the wheel built from that sdist (so the sdist is known to be complete)."""
    folder = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", folder, ROOT, cwd=ROOT)
    return folder


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin folder of a new venv holding the wheel with its demos extra, and nothing of the checkout."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", venv, cwd=venv)
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", f"{wheel}[demos]", cwd=venv)
    return venv / "bin"


def test_the_wheel_is_named_for_the_index_and_ships_the_package_its_licence_and_no_tests(wheel):
    assert wheel.name == f"minigrad_backprop-{__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert f"minigrad_backprop-{__version__}.dist-info/licenses/LICENSE" in names
    assert "minigrad/demos/micrograd.py" in names and "minigrad/py.typed" in names
    assert {name.split("/")[0] for name in names} == {"minigrad", f"minigrad_backprop-{__version__}.dist-info"}


def test_the_sdist_holds_the_package_and_licence_but_no_tests_it_could_not_run(dist):
    (sdist,) = dist.glob("*.tar.gz")
    assert sdist.name == f"minigrad_backprop-{__version__}.tar.gz"
    members = [member.split("/", 1)[1] for member in tarfile.open(sdist).getnames() if "/" in member]
    assert {"LICENSE", "README.md", "pyproject.toml", "minigrad/__init__.py"} <= set(members)
    assert not [member for member in members if member.startswith("tests")]


def test_the_installed_command_runs_a_demo_outside_the_checkout_and_writes_what_a_clone_writes(installed, tmp_path):
    outside = tmp_path / "empty"
    outside.mkdir()
    where = run(installed / "python", "-c", "import minigrad; print(minigrad.__file__)", cwd=outside).stdout
    assert not where.startswith(str(ROOT))
    run(installed / "minigrad", "demo", "micrograd", "--quick", "--out", "OUT", cwd=outside)
    assert cli.main(["demo", "micrograd", "--quick", "--out", str(tmp_path / "clone")]) == 0
    written = {path.name for path in (outside / "OUT").iterdir()}
    assert written == {path.name for path in (tmp_path / "clone").iterdir()}
    assert json.loads((outside / "OUT" / "results.json").read_text()) == json.loads(
        (tmp_path / "clone" / "results.json").read_text()
    )


@pytest.mark.parametrize(
    "command",
    [["draw", "neuron", "-o", "neuron.svg"], ["draw", "mlp", "--depth", "2", "-o", "mlp.svg"], ["--help"]],
)
def test_every_other_command_of_the_installed_package_runs_outside_the_checkout(installed, tmp_path, command):
    run(installed / "minigrad", *command, cwd=tmp_path)
    run(installed / "python", "-m", "minigrad", *command, cwd=tmp_path)
    if command[0] == "draw":
        assert (tmp_path / command[-1]).stat().st_size > 0
