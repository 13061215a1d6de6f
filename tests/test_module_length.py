"""No module of the package is over 400 lines: short modules with one job each (STYLE.md)."""

from pathlib import Path

import minigrad

LIMIT = 400


def test_every_module_of_the_package_is_at_most_400_lines() -> None:
    package = Path(minigrad.__file__).parent
    lengths = {str(path.relative_to(package)): len(path.read_text().splitlines()) for path in package.rglob("*.py")}
    assert {name: n for name, n in lengths.items() if n > LIMIT} == {}
