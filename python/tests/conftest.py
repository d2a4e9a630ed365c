"""Runs the plugin's tests from a clone with or without `pip install ./python`: when the pytest11
entry point is not installed, the plugin is loaded from src/ (and handed to pytester's subprocess
runs through PYTHONPATH and -p)."""

import os
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _entry_point_installed() -> bool:
    try:
        from importlib.metadata import entry_points
    except ImportError:  # pragma: no cover
        return False
    eps = entry_points()
    group = eps.select(group="pytest11") if hasattr(eps, "select") else eps.get("pytest11", [])
    return any(ep.name == "nso_mock" for ep in group)


INSTALLED = _entry_point_installed()
if INSTALLED:
    pytest_plugins = ["pytester"]
else:
    sys.path.insert(0, str(SRC))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    pytest_plugins = ["pytester", "pytest_nso_mock.plugin"]

# What pytester's subprocess runs need to load the plugin the same way.
PLUGIN_ARGS = [] if INSTALLED else ["-p", "pytest_nso_mock.plugin"]

# In the clone, the mock is the one built here (npm run build), unless NSO_MOCK_CLI says otherwise.
REPO = Path(__file__).resolve().parents[2]
if not os.environ.get("NSO_MOCK_CLI") and (REPO / "dist" / "cli" / "main.js").exists():
    os.environ["NSO_MOCK_CLI"] = f"node {REPO / 'dist' / 'cli' / 'main.js'}"
