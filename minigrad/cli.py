"""The ``minigrad`` command: ``minigrad demo [NAME]`` runs a demo of :mod:`minigrad.demos` (all of
them when no name is given; ``minigrad demo NAME --help`` lists its options);
``minigrad draw neuron|mlp -o FILE`` draws the gradients of a small example (see minigrad.viz)."""

from __future__ import annotations

import argparse
import importlib
import sys

from minigrad import demos


def available_demos() -> list[str]:
    """Command names of the demos, and 'all'; a demo's module has '_' for '-' (dying_relu.py is 'dying-relu').

    Examples
    --------
    >>> available_demos()
    ['activations', 'all', 'dying-relu', 'micrograd', 'vanishing']
    """
    return sorted([*demos.NAMES, "all"])


def main(argv: list[str] | None = None) -> int:
    """Run the ``minigrad`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    Examples
    --------
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     main(["draw", "neuron", "-o", os.path.join(folder, "neuron.svg")])
    wrote .../neuron.svg and .../neuron.dot
    0
    """
    parser = argparse.ArgumentParser(prog="minigrad", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a demo (minigrad.demos)")
    demo.add_argument(
        "name", nargs="?", default="all", help="one of: " + ", ".join(available_demos()) + " (default: all)"
    )
    demo.add_argument("args", nargs=argparse.REMAINDER, help="passed on to the demo")
    _add_draw(commands)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"] and argv[1:2] and argv[1].startswith("-") and argv[1] not in ("-h", "--help"):
        argv.insert(1, "all")  # `minigrad demo --quick` runs all of them, quickly
    options = parser.parse_args(argv)
    if options.command == "draw":
        return _draw(options)
    if options.name not in available_demos():
        parser.error(f"no demo named {options.name!r}; choose one of: {', '.join(available_demos())}")
    importlib.import_module(f"minigrad.demos.{options.name.replace('-', '_')}").main(options.args)
    return 0


def _add_draw(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draw = commands.add_parser("draw", help="draw the gradients of a small example with Graphviz")
    draw.add_argument(
        "example",
        choices=["neuron", "mlp", "flags"],
        help="micrograd's neuron, an MLP on random data, or a graph showing the four flags",
    )
    draw.add_argument("-o", "--output", default=None, help="picture to write, .svg/.png/.pdf (default: EXAMPLE.svg)")
    draw.add_argument("--activation", default="relu", help="mlp: activation name (relu, sigmoid, tanh, gelu, ...)")
    draw.add_argument("--depth", type=int, default=3, help="mlp: number of hidden layers")
    draw.add_argument("--width", type=int, default=8, help="mlp: width of the hidden layers")
    draw.add_argument("--init", default=None, help="mlp: weight init (xavier_uniform, kaiming_normal, ...)")
    draw.add_argument("--dead", type=int, default=0, help="mlp: force this many units per hidden layer dead")
    draw.add_argument("--mode", default="auto", choices=["auto", "ops", "layers"], help="one node per op or per module")
    draw.add_argument("--threshold", type=float, default=1e-6, help="relative gradient flagged as vanishing")


def _draw(options: argparse.Namespace) -> int:
    from minigrad.viz import GraphvizNotFound, render_graph
    from minigrad.viz.examples import EXAMPLES, mlp

    output = options.output or f"{options.example}.svg"
    try:
        if options.example == "mlp":
            example = mlp(options.activation, options.depth, options.width, options.init, options.dead)
        else:
            example = EXAMPLES[options.example]()
        path = render_graph(
            example.root,
            output,
            recording=example.recording,
            mode=options.mode,
            threshold=options.threshold,
            title=example.title,
        )
    except (ValueError, GraphvizNotFound) as error:  # an unknown name, too big a graph, no dot program
        print(f"minigrad draw: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path} and {path.with_suffix('.dot')}")
    return 0
