"""Every public function, class and method of minigrad has a docstring with an example.

The examples themselves run as doctests (``--doctest-modules`` in pyproject.toml, names from the
root conftest.py); this test checks that they are there, in NumPy style: an ``Examples`` section
holding a ``>>>`` example. Public means: in a module's ``__all__``, or else not starting with
``_``, and defined in minigrad (not imported into it); for a class, also its methods.

Exempt, and why:
- dunder and ``_private`` names: Python's protocols, shown in their class's example;
- a method that overrides a minigrad base class's (``Linear.forward``, ``ELU.extra_repr``,
  ``Sigmoid.backward``): the base's docstring documents it, as ``inspect.getdoc`` says;
- an op (a :class:`Function` subclass) needs only its docstring, the formula f and f' per
  STYLE.md: its example is on its public entry point (``Tensor.relu``, ``F.relu``);
- a property needs only a one-line docstring: it reads like an attribute, and its class's
  example shows it;
- the abstract methods in ``ABSTRACT`` need only a docstring: their class's example writes them.
"""

import importlib
import inspect
import pkgutil
import subprocess
import sys

import minigrad
from minigrad.autograd import Function

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(minigrad.__path__, "minigrad.") if name != "minigrad.__main__"
)

# Abstract methods: each raises NotImplementedError, and its class's example shows how a
# subclass writes it.
ABSTRACT = {
    "minigrad.autograd.function.Function.forward",
    "minigrad.autograd.function.Function.backward",
    "minigrad.nn.module.Module.forward",
    "minigrad.optim.lr_scheduler.LRScheduler.lr_at",
}


def _defined_here(module, obj) -> bool:
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", None) == module.__name__


def _public_names(module) -> list:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name in vars(module) if not name.startswith("_")]
    return [name for name in names if _defined_here(module, getattr(module, name))]


def _inherited(cls, name: str) -> bool:
    """Overrides a base class's method: the base's docstring documents it (as inspect.getdoc says)."""
    return any(name in vars(base) for base in cls.__mro__[1:] if base is not object)


def _public_api():
    """(dotted name, object, what it needs): 'example', or 'docstring' for properties, abstract
    methods and ops (a Function's docstring is its formula, f and f', per STYLE.md)."""
    found = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in _public_names(module):
            obj = getattr(module, name)
            qualified = f"{module_name}.{name}"
            is_op = inspect.isclass(obj) and issubclass(obj, Function) and obj is not Function
            found.append((qualified, obj, "docstring" if is_op else "example"))
            if not inspect.isclass(obj) or is_op:
                continue
            for attr, value in vars(obj).items():
                if attr.startswith("_") or _inherited(obj, attr):
                    continue
                if isinstance(value, (staticmethod, classmethod)):
                    value = value.__func__
                if isinstance(value, property):
                    found.append((f"{qualified}.{attr}", value, "docstring"))
                elif inspect.isfunction(value):
                    need = "docstring" if f"{qualified}.{attr}" in ABSTRACT else "example"
                    found.append((f"{qualified}.{attr}", value, need))
    return found


API = _public_api()


def test_the_walk_finds_the_public_api_and_nothing_private():
    names = {name for name, _, _ in API}
    assert {
        "minigrad.tensor_activations.TensorActivations.relu",
        "minigrad.functional.activations.relu",
        "minigrad.nn.layers.Linear",
    } <= names
    assert "minigrad.ops.relu_family.ReLU" in names
    assert not any(part.startswith("_") for name in names for part in name.split("."))
    assert len(names) > 300


def test_every_public_name_has_a_docstring_and_an_example():
    missing = []
    for name, obj, need in API:
        # NOTE: the object's own docstring: inspect.getdoc would hand a class its base class's.
        doc = inspect.cleandoc(obj.__doc__ or "")
        if not doc:
            missing.append(f"{name}: no docstring")
        elif need == "example" and ">>>" not in doc.partition("\nExamples\n--------\n")[2]:
            missing.append(f"{name}: no 'Examples' section with a >>> example")
    assert not missing, f"{len(missing)} public names lack documentation:\n" + "\n".join(missing)


def test_every_module_imports_in_a_fresh_interpreter_without_printing_or_writing(tmp_path):
    # NOTE: what --doctest-modules does to every module; minigrad/__main__.py, which runs the
    # command line, is left out (conftest.py's collect_ignore).
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)"
    done = subprocess.run([sys.executable, "-c", code, *MODULES], cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert list(tmp_path.iterdir()) == []
