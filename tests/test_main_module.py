"""``python -m minigrad`` is the ``minigrad`` command."""

import runpy
import sys

import pytest


def test_python_dash_m_minigrad_runs_the_command_and_exits_with_its_status(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["minigrad", "--help"])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_module("minigrad", run_name="__main__")
    assert exit_.value.code == 0
    assert "usage: minigrad" in capsys.readouterr().out
