"""The ``minigrad`` command: ``minigrad demo [NAME]`` runs a demo of :mod:`minigrad.demos` (all of
them when no name is given; ``minigrad demo NAME --help`` lists its options);
``minigrad draw neuron|mlp -o FILE`` draws the gradients of a small example (see minigrad.viz);
``minigrad explore neuron|mlp -o FILE.html`` writes a page that steps through its backward pass."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minigrad import demos
from minigrad.demos.harness import ArgumentParser
from minigrad.nn.activations import ACTIVATIONS
from minigrad.nn.mlp import INITS
from minigrad.viz.render import FORMATS

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

# The flags of `minigrad draw` that only the mlp example takes, and their defaults.
PICTURES = tuple(f".{name}" for name in FORMATS)  # the endings -o of `minigrad draw` takes
MLP_FLAGS = {"activation": "relu", "depth": 3, "width": 8, "init": None, "dead": 0}


def available_demos() -> list[str]:
    """Command names of the demos, and 'all'; a demo's module has '_' for '-' (dying_relu.py is 'dying-relu').

    Examples
    --------
    >>> available_demos()
    ['activations', 'all', 'dying-relu', 'micrograd', 'through-time', 'vanishing']
    """
    return sorted([*demos.NAMES, "all"])


def main(argv: list[str] | None = None) -> int:
    """Run the ``minigrad`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    A bad flag is one line on stderr naming the flag and the value, and exit status 2
    (``SystemExit``, as argparse); a failure to write is one line and status 1; never a traceback.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     main(["draw", "neuron", "-o", os.path.join(folder, "neuron.svg")])
    wrote .../neuron.svg and .../neuron.dot
    0
    """
    parser = ArgumentParser(prog="minigrad", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a demo (minigrad.demos)")
    demo.add_argument(
        "name", nargs="?", default="all", help="one of: " + ", ".join(available_demos()) + " (default: all)"
    )
    demo.add_argument("args", nargs=argparse.REMAINDER, help="passed on to the demo")
    draw = _add_draw(commands)
    explore = _add_draw(commands, "explore")
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"] and argv[1:2] and argv[1].startswith("-") and argv[1] not in ("-h", "--help"):
        argv.insert(1, "all")  # `minigrad demo --quick` runs all of them, quickly
    options = parser.parse_args(argv)
    if options.command == "draw":
        return _draw(_draw_options(draw, options))
    if options.command == "explore":
        return _explore(_draw_options(explore, options, suffixes=(".html",)))
    if options.name not in available_demos():
        parser.error(f"no demo named {options.name!r}; choose one of: {', '.join(available_demos())}")
    try:
        importlib.import_module(f"minigrad.demos.{options.name.replace('-', '_')}").main(options.args)
    except OSError as error:  # the folder of --out filled up or went away while the demo wrote to it
        print(
            f"minigrad demo {options.name}: could not write {error.filename} ({error.strerror}); see --out",
            file=sys.stderr,
        )
        return 1
    return 0


def _add_draw(commands: argparse._SubParsersAction[ArgumentParser], command: str = "draw") -> ArgumentParser:
    """The parser of ``minigrad draw`` (a picture), or of ``minigrad explore`` (a page), which take the same flags."""
    if command == "draw":
        draw = commands.add_parser("draw", help="draw the gradients of a small example with Graphviz")
        output = "picture to write, .svg/.png/.pdf (default: EXAMPLE.svg)"
    else:
        draw = commands.add_parser(command, help="a page stepping through the backward pass of a small example")
        output = "page to write, .html (default: EXAMPLE.html)"
    draw.add_argument(
        "example",
        choices=["neuron", "mlp", "flags"],
        help="micrograd's neuron, an MLP on random data, or a graph showing the four flags",
    )
    draw.add_argument("-o", "--output", default=None, help=output)
    activations, inits = sorted(ACTIVATIONS), sorted(INITS)
    draw.add_argument("--activation", choices=activations, metavar="NAME", help=f"mlp: one of {', '.join(activations)}")
    draw.add_argument("--depth", type=int, help="mlp: number of hidden layers, >= 1 (default 3)")
    draw.add_argument("--width", type=int, help="mlp: width of the hidden layers, >= 1 (default 8)")
    draw.add_argument("--init", choices=inits, metavar="NAME", help=f"mlp: weight init, one of {', '.join(inits)}")
    draw.add_argument("--dead", type=int, help="mlp: force this many units per hidden layer dead, 0 to --width")
    draw.add_argument("--mode", default="auto", choices=["auto", "ops", "layers"], help="one node per op or per module")
    draw.add_argument(
        "--threshold", type=float, default=1e-6, help="relative gradient flagged as vanishing, in (0, 1) (default 1e-6)"
    )
    draw.add_argument("--max-nodes", type=int, default=400, help="refuse a bigger picture, >= 1 (default 400)")
    return draw


def _draw_options(
    parser: ArgumentParser, options: argparse.Namespace, suffixes: tuple[str, ...] = PICTURES
) -> argparse.Namespace:
    """The options of ``minigrad draw`` (or explore) checked, the mlp's defaults filled in; a bad one exits with status 2."""
    given = [name for name in MLP_FLAGS if getattr(options, name) is not None]
    if options.example != "mlp" and given:
        parser.error(f"--{given[0]} applies to the mlp example only, not to {options.example}")
    if options.example != "mlp" and options.mode == "layers":
        parser.error(f"--mode layers needs the mlp example (it draws one node per module), not {options.example}")
    for name, default in MLP_FLAGS.items():
        setattr(options, name, default if getattr(options, name) is None else getattr(options, name))
    if options.output is not None:
        suffix = Path(options.output).suffix.lower()
        if not Path(options.output).name or (suffix and suffix not in suffixes):
            endings = " or ".join(filter(None, (", ".join(suffixes[:-1]), suffixes[-1])))
            parser.error(f"-o/--output must be a file name ending in {endings}, got {options.output!r}")
    parser.check("--depth", options.depth, integer=True, at_least=1)
    parser.check("--width", options.width, integer=True, at_least=1)
    parser.check("--dead", options.dead, integer=True, at_least=0, at_most=options.width)
    parser.check("--threshold", options.threshold, above=0, below=1)
    parser.check("--max-nodes", options.max_nodes, integer=True, at_least=1)
    return options


def _example(options: argparse.Namespace) -> tuple[Tensor, dict[str, Any]]:
    """The root of the example ``options`` name, and the options draw_graph and explore both take."""
    from minigrad.viz.examples import EXAMPLES, mlp

    if options.example == "mlp":
        example = mlp(options.activation, options.depth, options.width, options.init, options.dead)
    else:
        example = EXAMPLES[options.example]()
    shared = {"mode": options.mode, "threshold": options.threshold, "max_nodes": options.max_nodes}
    return example.root, {"recording": example.recording, "title": example.title, **shared}


def _draw(options: argparse.Namespace) -> int:
    from minigrad.viz import render_graph

    output = options.output or f"{options.example}.svg"
    try:
        root, drawing = _example(options)
        path = render_graph(root, output, **drawing)
    except OSError as error:
        print(
            f"minigrad draw: cannot write -o/--output {output!r}: {error.strerror} ({error.filename})", file=sys.stderr
        )
        return 1
    except ValueError as error:  # too big a graph
        print(f"minigrad draw: {error} Here: --mode layers, or --max-nodes N.", file=sys.stderr)
        return 1
    except RuntimeError as error:  # no dot program, or dot failed
        print(f"minigrad draw: {error}".replace("\n", " "), file=sys.stderr)
        return 1
    print(f"wrote {path} and {path.with_suffix('.dot')}")
    return 0


def _explore(options: argparse.Namespace) -> int:
    from minigrad.viz import explore

    output = Path(options.output or f"{options.example}.html").with_suffix(".html")
    try:
        root, drawing = _example(options)
        page = explore(root, output, **drawing)
    except OSError as error:
        print(
            f"minigrad explore: cannot write -o/--output {str(output)!r}: {error.strerror} ({error.filename})",
            file=sys.stderr,
        )
        return 1
    except (ValueError, RuntimeError) as error:  # too big a graph, no dot program
        print(f"minigrad explore: {error}".replace("\n", " "), file=sys.stderr)
        return 1
    print(f"wrote {page}")
    return 0
