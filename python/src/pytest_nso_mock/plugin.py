"""The pytest plugin (registered through the ``pytest11`` entry point): the ``nso_mock`` fixture.

Each test that asks for ``nso_mock`` gets its own ``nso-mock serve`` (free ports, a fresh control
token). When the test body has passed, the plugin checks the mock: a protocol violation, or an ack
still pending (after ``nso_mock_ack_grace`` seconds), FAILS the test with the mock's readable
table. At teardown the consumers it spawned and the mock are stopped.

Options, strongest first: fixture parameters (``@pytest.mark.parametrize("nso_mock", [{...}],
indirect=True)``), the marker (``@pytest.mark.nso_mock(profile="nso62")``), the ini file
(``nso_mock_profile = nso62``). Keys: ``profile``, ``access_secret``, ``unix``, ``tcp``,
``scenario``, ``args`` (more ``serve`` options), ``check`` (False: do not fail on violations or
pending acks), ``ack_grace`` (seconds).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

from .mock import CLI_ENV, NsoMock, NsoMockError, find_cli

_MOCK_KEY = pytest.StashKey[NsoMock]() if hasattr(pytest, "StashKey") else None
_OPTION_KEYS = {"profile", "access_secret", "unix", "tcp", "scenario", "args", "check", "ack_grace", "start_timeout"}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("nso-mock")
    group.addoption("--nso-mock-cli", default=None, help=f"the nso-mock command (default: ${CLI_ENV}, node_modules/.bin/nso-mock, PATH)")
    parser.addini("nso_mock_cli", f"the nso-mock command (default: ${CLI_ENV}, node_modules/.bin/nso-mock, PATH)", default="")
    parser.addini("nso_mock_profile", "layout profile of the mock (nso57, nso62, ...); default: the mock's", default="")
    parser.addini("nso_mock_access_secret", "require the IPC access check with this secret", default="")
    parser.addini("nso_mock_unix", "also listen on a Unix socket (NCS_IPC_PATH)", type="bool", default=False)
    parser.addini("nso_mock_scenario", "scenario file the mock plays (default: none, the tests drive it)", default="")
    parser.addini("nso_mock_ack_grace", "seconds an ack may still be on its way when a test ends", default="2")
    parser.addini("nso_mock_start_timeout", "seconds to wait for the mock's ready line", default="60")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "nso_mock(profile=None, access_secret=None, unix=False, tcp=True, scenario=None, args=(), check=True, ack_grace=None): "
        "options of the nso_mock fixture for this test",
    )


def _options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    config = request.config
    options: Dict[str, Any] = {
        "profile": config.getini("nso_mock_profile") or None,
        "access_secret": config.getini("nso_mock_access_secret") or None,
        "unix": bool(config.getini("nso_mock_unix")),
        "scenario": config.getini("nso_mock_scenario") or None,
        "ack_grace": float(config.getini("nso_mock_ack_grace")),
        "start_timeout": float(config.getini("nso_mock_start_timeout")),
    }
    marker = request.node.get_closest_marker("nso_mock")
    layers = [marker.kwargs if marker is not None else {}, getattr(request, "param", None) or {}]
    for layer in layers:
        unknown = set(layer) - _OPTION_KEYS
        if unknown:
            raise pytest.UsageError(f"nso_mock: unknown option(s) {sorted(unknown)} (known: {sorted(_OPTION_KEYS)})")
        options.update(layer)
    return options


def _cli(config: pytest.Config) -> Any:
    configured = config.getoption("--nso-mock-cli") or config.getini("nso_mock_cli") or None
    root = Path(str(getattr(config, "rootpath", None) or config.rootdir))
    return find_cli(root, os.environ, configured)


@pytest.fixture
def nso_mock(request: pytest.FixtureRequest) -> Iterator[NsoMock]:
    """A running ``nso-mock serve`` for this test (see the module's docs for its options)."""
    options = _options(request)
    try:
        cli = _cli(request.config)
        scenario = options["scenario"]
        if scenario is not None and not os.path.isabs(str(scenario)):
            scenario = str(Path(str(request.config.rootpath if hasattr(request.config, "rootpath") else request.config.rootdir)) / str(scenario))
        mock = NsoMock.start(
            cli=cli,
            profile=options["profile"],
            access_secret=options["access_secret"],
            unix=bool(options["unix"]),
            tcp=bool(options.get("tcp", True)),
            scenario=scenario,
            extra_args=tuple(options.get("args", ())),
            start_timeout=float(options["start_timeout"]),
        )
    except NsoMockError as error:
        pytest.fail(str(error), pytrace=False)
    mock.check_at_end = bool(options.get("check", True))
    setattr(mock, "_ack_grace", float(options["ack_grace"]))
    _remember(request.node, mock)
    try:
        yield mock
    finally:
        mock.stop()


def _remember(item: Any, mock: NsoMock) -> None:
    if _MOCK_KEY is not None:
        item.stash[_MOCK_KEY] = mock
    else:  # pragma: no cover - pytest < 7
        item._nso_mock = mock


def _recall(item: Any) -> Optional[NsoMock]:
    if _MOCK_KEY is not None:
        return item.stash.get(_MOCK_KEY, None)
    return getattr(item, "_nso_mock", None)  # pragma: no cover


@pytest.hookimpl(trylast=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # trylast: this runs after pytest's own pytest_runtest_call, only when the test body passed, so
    # what is raised here fails the test itself (not its teardown) — with any pluggy version.
    mock = _recall(item)
    if mock is None:
        return
    if mock.log:
        item.add_report_section("call", "nso-mock log", mock.log)
    if not mock.check_at_end:
        return
    problems = mock.problems(ack_grace=float(getattr(mock, "_ack_grace", 2.0)))
    if problems:
        pytest.fail(problems, pytrace=False)
