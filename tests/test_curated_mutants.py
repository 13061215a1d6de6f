"""Curated mutants: small wrong versions of the code that the named tests must catch.

Each row puts one plausible bug (a guard dropped, a tolerance loosened, a gradient 0.05 % off,
>= turned into >) into a copy of the package and runs the tests named to catch it: every one of
them must fail. These are the guards that a first, sceptical mutation run found unguarded
(docs/mutation.md); the full run is ``./run mutate``.

When code moves, edit the row: a snippet that is no longer found (or found twice) fails loudly
with the mutant's name instead of being skipped.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # relative to the repository's root
    original: str  # found exactly once in the file
    replacement: str
    killed_by: tuple[str, ...]  # pytest node ids (a prefix of a parametrized id counts): each must fail


WALK = "tests/test_walk_shared_gradients.py::"
FLOAT64 = "tests/test_gradients_float64.py::"
GRADCHECK = "tests/test_gradcheck.py::"
DIAGNOSE = "tests/test_diagnose_thresholds.py::"
LAYERS = "tests/test_diagnostics_layers.py::"

REFERENCE = "tests/test_walk_reference.py::"
AUTOGRAD = "tests/test_autograd.py::"

MUTANTS = [
    Mutant(
        "walk expands a root twice when another root also leads to it",
        "minigrad/autograd/walk.py",
        "seen = set(stack)",
        "seen = set()",
        (
            AUTOGRAD + "test_grad_of_two_roots_one_made_from_the_other_counts_each_use_once",
            REFERENCE + "test_grad_gives_the_reference_gradients_of_every_tensor",
        ),
    ),
    Mutant(
        "walk counts a root given twice twice",
        "minigrad/autograd/walk.py",
        "stack = [root for root in dict.fromkeys(roots) if root.requires_grad]",
        "stack = [root for root in roots if root.requires_grad]",
        (AUTOGRAD + "test_grad_of_a_root_given_twice_sums_both_seeds_into_every_input",),
    ),
    Mutant(
        "walk keeps adding in place into a sum it has handed on",
        "minigrad/autograd/walk.py",
        "self._owned.discard(id(grad._data))",
        "self._owned.discard(None)",
        (
            WALK + "test_a_sum_handed_to_two_inputs_is_not_added_into_later",
            WALK + "test_grad_returns_unshared_sums_for_the_same_graph",
            WALK + "test_retained_intermediate_gradients_stay_their_own",
            WALK + "test_backward_gives_each_leaf_its_exact_gradient_in_drawn_graphs",
            WALK + "test_grad_gives_each_leaf_its_exact_gradient_in_drawn_graphs",
            WALK + "test_the_drawn_kind_of_graph_finds_the_issues_bug_without_the_example[False]",
        ),
    ),
    Mutant(
        "walk adds in place into gradient arrays it did not make",
        "minigrad/autograd/walk.py",
        "elif id(total._data) in self._owned:",
        "elif True:",
        (
            WALK + "test_a_sum_handed_to_two_inputs_is_not_added_into_later",
            WALK + "test_backward_gives_each_leaf_its_exact_gradient_in_drawn_graphs",
        ),
    ),
    Mutant(
        "gradcheck passes errors ten times its tolerance",
        "minigrad/gradcheck/jacobians.py",
        "passed = (np.abs(a - c) <= tolerance(c))",
        "passed = (np.abs(a - c) <= 10 * tolerance(c))",
        (
            GRADCHECK + "test_gradcheck_rejects_a_derivative_one_percent_off_and_accepts_the_correct_one",
            GRADCHECK + "test_the_default_rtol_is_1e_3_of_the_numeric_derivative",
            GRADCHECK + "test_the_default_atol_is_1e_5_where_the_derivative_is_zero",
        ),
    ),
    Mutant(
        "gradcheck's default rtol 100 times larger",
        "minigrad/gradcheck/check.py",
        "return _verdict(gradcheck_report(fn, inputs, eps, atol, rtol), raise_exception)",
        "return _verdict(gradcheck_report(fn, inputs, eps, atol, 100 * rtol), raise_exception)",
        (
            GRADCHECK + "test_gradcheck_rejects_a_derivative_one_percent_off_and_accepts_the_correct_one",
            GRADCHECK + "test_the_default_rtol_is_1e_3_of_the_numeric_derivative",
        ),
    ),
    Mutant(
        "mse_loss's gradient 0.05 % small",
        "minigrad/ops/losses.py",
        'scale = 2 / x.numel() if ctx.reduction == "mean" else 2',
        'scale = 1.999 / x.numel() if ctx.reduction == "mean" else 1.999',
        (
            FLOAT64 + "test_mse_loss_gradient_is_2_times_the_difference",
            FLOAT64 + "test_mse_loss_gradient_for_the_target_is_minus_the_inputs",
            FLOAT64 + "test_regression_losses_pass_gradcheck_at_float64_tolerances[mse]",
        ),
    ),
    Mutant(
        "log's gradient (binary_cross_entropy's) 0.05 % large",
        "minigrad/ops/elementwise.py",
        "        return grad / x\n",
        "        return grad / (0.9995 * x)\n",
        (FLOAT64 + "test_binary_cross_entropy_mixed_second_derivative_is_its_formula",),
    ),
    Mutant(
        "label smoothing's uniform part 0.05 % small",
        "minigrad/ops/losses.py",
        "ctx.spread = label_smoothing / c * per_row[:, None] * class_weight if label_smoothing else None",
        "ctx.spread = 0.9995 * label_smoothing / c * per_row[:, None] * class_weight if label_smoothing else None",
        (
            FLOAT64 + "test_cross_entropy_gradient_is_softmax_minus_the_smoothed_one_hot[mean-0.1]",
            FLOAT64 + "test_cross_entropy_gradient_is_softmax_minus_the_smoothed_one_hot[none-0.7]",
        ),
    ),
    Mutant(
        "a Linear layer's weight gradient 0.05 % large",
        "minigrad/ops/arithmetic.py",
        "grad_w = grads.mT @ rows",
        "grad_w = 1.0005 * (grads.mT @ rows)",
        (
            FLOAT64 + "test_linear_layer_gradients_are_its_formulas",
            FLOAT64 + "test_layer_gradients_match_central_differences_at_float64_tolerances[Linear]",
        ),
    ),
    Mutant(
        "diagnose reports dead units only above the threshold",
        "minigrad/diagnostics/diagnose.py",
        'if u.family == "relu" and u.dead_fraction >= dead:',
        'if u.family == "relu" and u.dead_fraction > dead:',
        (DIAGNOSE + "test_a_relu_layer_with_exactly_the_threshold_share_of_dead_units_is_reported",),
    ),
    Mutant(
        "diagnose reports saturated units only above the threshold",
        "minigrad/diagnostics/diagnose.py",
        'if u.family == "saturating" and u.saturated_fraction >= saturated:',
        'if u.family == "saturating" and u.saturated_fraction > saturated:',
        (DIAGNOSE + "test_a_sigmoid_layer_with_exactly_the_threshold_share_of_saturated_units_is_reported",),
    ),
    Mutant(
        "diagnose calls a ratio equal to the threshold vanishing",
        "minigrad/diagnostics/diagnose.py",
        "flow.ratio >= vanishing",
        "flow.ratio > vanishing",
        (DIAGNOSE + "test_a_gradient_ratio_equal_to_the_vanishing_threshold_is_not_vanishing",),
    ),
    Mutant(
        "diagnose calls a ratio through time equal to the threshold vanishing",
        "minigrad/diagnostics/diagnose.py",
        "if ratio < vanishing:",
        "if ratio <= vanishing:",
        (LAYERS + "test_a_ratio_equal_to_the_vanishing_threshold_is_not_vanishing_through_time",),
    ),
    Mutant(
        "diagnose calls a ratio through time equal to the threshold exploding",
        "minigrad/diagnostics/diagnose.py",
        "elif ratio > exploding:",
        "elif ratio >= exploding:",
        (LAYERS + "test_a_ratio_equal_to_the_exploding_threshold_is_not_exploding_through_time",),
    ),
]


def copy_of_the_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("minigrad", "tests"):
        shutil.copytree(ROOT / folder, destination / folder, ignore=ignore)
    for file in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / file, destination / file)
    return destination


def run_tests(project: Path, node_ids) -> subprocess.CompletedProcess:
    """pytest in a fresh process on ``project``'s own copy of minigrad; -rf lists what failed."""
    env = {**os.environ, "PYTHONPATH": str(project), "HYPOTHESIS_PROFILE": "ci"}
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "-o", "addopts=", *node_ids]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_each_mutant_names_tests_that_exist_and_pass_on_the_code_as_it_is(tmp_path):
    project = copy_of_the_project(tmp_path)
    files = sorted({node.split("::")[0] for m in MUTANTS for node in m.killed_by})
    result = run_tests(project, files)
    assert result.returncode == 0, result.stdout[-3000:]
    check = [sys.executable, "-c", "import minigrad; print(minigrad.__file__)"]
    where = subprocess.run(check, cwd=project, env={**os.environ, "PYTHONPATH": str(project)}, capture_output=True)
    assert where.stdout.decode().startswith(str(project)), "the copy must import its own minigrad"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_the_named_tests_catch_the_mutant(mutant, tmp_path):
    project = copy_of_the_project(tmp_path)
    path = project / mutant.file
    source = path.read_text() if path.exists() else ""
    found = source.count(mutant.original)
    assert found == 1, (
        f"mutant {mutant.name!r}: its original snippet is found {found} times in {mutant.file} (moved or "
        f"changed? update its row in MUTANTS):\n{mutant.original}"
    )
    path.write_text(source.replace(mutant.original, mutant.replacement))
    result = run_tests(project, mutant.killed_by)
    assert result.returncode == 1, f"mutant {mutant.name!r}: pytest exited {result.returncode}\n{result.stdout[-3000:]}"
    failed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    survived = [node for node in mutant.killed_by if not any(f.startswith(node) for f in failed)]
    assert not survived, f"mutant {mutant.name!r} survives: these tests pass on it: {survived}"
