"""minigrad's benchmarks: `python -m benchmarks` runs them all and writes benchmarks/results.md.

Reading order: problems.py (the networks and data), numpy_mlp.py (the same by hand),
engines.py (each library's version), layer_steps.py (each library's CNN and LSTM step),
direct_rules.py (minigrad with NumPy backward rules), measure.py (timing, memory, threads),
workloads.py (W1-W6, cnn, lstm), worker.py (one engine in its own process), report.py (tables
and targets), run.py (the command). ``--compare-with REV``: trees.py (a revision's minigrad/
exported), compare.py (both trees measured side by side), compare_report.py (their tables and
the checks of issue 13).
"""
