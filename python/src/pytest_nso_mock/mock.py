"""Starting and stopping one ``nso-mock serve`` process, and the consumers a test runs against it."""

from __future__ import annotations

import json
import os
import queue
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from .control import ControlClient

CLI_ENV = "NSO_MOCK_CLI"
"""Names the nso-mock command: a path to the ``nso-mock`` executable, to ``dist/cli/main.js`` (run
with ``node``), or a whole command line (``node /src/nso-mock/dist/cli/main.js``)."""

IDLE_SCENARIO = "name: idle (driven by the pytest plugin)\nsteps:\n  - log: \"idle: waiting for the control API\"\n"
"""What ``serve`` plays unless told otherwise: nothing (without a scenario it would play the demo)."""


class NsoMockError(Exception):
    """The mock could not be found, started or checked."""


def find_cli(start: Optional[Path] = None, env: Optional[Mapping[str, str]] = None, configured: Optional[str] = None) -> List[str]:
    """The command that runs nso-mock: ``configured`` (the ``nso_mock_cli`` ini option) or
    ``$NSO_MOCK_CLI``; else ``node_modules/.bin/nso-mock`` in ``start`` or a parent folder; else
    ``nso-mock`` on PATH. Raises :class:`NsoMockError` saying where it looked."""
    env = os.environ if env is None else env
    given = configured or env.get(CLI_ENV)
    if given:
        words = shlex.split(given)
        if len(words) == 1 and words[0].endswith((".js", ".mjs")):
            return [shutil.which("node") or "node", words[0]]
        return words
    here = (start or Path.cwd()).resolve()
    tried = []
    for folder in (here, *here.parents):
        candidate = folder / "node_modules" / ".bin" / ("nso-mock.cmd" if os.name == "nt" else "nso-mock")
        tried.append(str(candidate))
        if candidate.exists():
            return [str(candidate)]
    on_path = shutil.which("nso-mock", path=env.get("PATH"))
    if on_path:
        return [on_path]
    raise NsoMockError(
        "Failed to find nso-mock: set NSO_MOCK_CLI (e.g. 'node /path/to/nso-mock/dist/cli/main.js'), "
        "or `npm install nso-mock` in the project (looked for node_modules/.bin/nso-mock from "
        f"{here} upwards, and nso-mock on PATH)"
    )


class Consumer:
    """A consumer process started by :meth:`NsoMock.spawn`: its stdout lines, collected as they come."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str], cwd: Optional[str] = None) -> None:
        self.args = list(args)
        self.process = subprocess.Popen(self.args, env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: List[str] = []
        self._stderr: List[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, self._stderr), daemon=True).start()

    def _read(self, stream: Any, into: List[str]) -> None:
        for line in stream:
            with self._changed:
                into.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stderr(self) -> str:
        return "\n".join(self._stderr)

    def json_lines(self) -> List[Any]:
        """The stdout lines that are JSON, decoded."""
        out = []
        for line in list(self.lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        """The first JSON line for which ``predicate`` is true, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for item in self.json_lines():
                    if predicate(item):
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no line of {self.args[-1] if self.args else 'the consumer'} matched within {timeout}s; it printed:\n" + "\n".join(self.lines[-20:]) + f"\nstderr:\n{self.stderr[-2000:]}")
                self._changed.wait(min(left, 0.2))

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class NsoMock(ControlClient):
    """One running ``nso-mock serve``, driven through its control API (the methods of
    :class:`~pytest_nso_mock.control.ControlClient`), with the addresses a consumer needs.

    Usually made by the ``nso_mock`` fixture; as a context manager on its own::

        with NsoMock.start(profile="nso62") as mock:
            mock.wait_for_subscribers(mask=["commit-diff"])
    """

    def __init__(self, process: "subprocess.Popen[str]", ready: Dict[str, Any], token: str, workdir: Path, stderr_lines: List[str]) -> None:
        super().__init__(ready["control"], token=token)
        self.process = process
        self.ready_line = ready
        self.workdir = workdir
        self._stderr_lines = stderr_lines
        self.consumers: List[Consumer] = []
        self.access_file: Optional[Path] = None
        self.check_at_end = True
        """Set to False in a test that provokes violations or leaves acks pending on purpose."""

    # -- addresses -----------------------------------------------------------------------------

    @property
    def host(self) -> Optional[str]:
        tcp = self.ready_line.get("tcp")
        return tcp["host"] if tcp else None

    @property
    def port(self) -> Optional[int]:
        tcp = self.ready_line.get("tcp")
        return tcp["port"] if tcp else None

    @property
    def unix_path(self) -> Optional[str]:
        return self.ready_line.get("unix")

    @property
    def env(self) -> Dict[str, str]:
        """The variables NSO's own libraries read: NCS_IPC_ADDR/NCS_IPC_PORT (and NCS_IPC_PATH with a
        Unix socket, NCS_IPC_ACCESS_FILE with an access secret), on top of this process's environment."""
        env = dict(os.environ)
        if self.port is not None:
            env["NCS_IPC_ADDR"] = str(self.host)
            env["NCS_IPC_PORT"] = str(self.port)
        if self.unix_path:
            env["NCS_IPC_PATH"] = self.unix_path
        if self.access_file is not None:
            env["NCS_IPC_ACCESS_FILE"] = str(self.access_file)
        return env

    @property
    def log(self) -> str:
        """The mock's log (its stderr) so far."""
        return "\n".join(self._stderr_lines)

    # -- lifecycle -----------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        *,
        cli: Optional[Sequence[str]] = None,
        profile: Optional[str] = None,
        access_secret: Optional[str] = None,
        unix: bool = False,
        tcp: bool = True,
        scenario: Optional[str] = None,
        extra_args: Sequence[str] = (),
        start_timeout: float = 60.0,
        cwd: Optional[Path] = None,
    ) -> "NsoMock":
        """Starts ``nso-mock serve --port 0 --control-port 0`` with a fresh token and returns once its
        ready line came. Raises :class:`NsoMockError` with the mock's log if it does not start."""
        command = list(cli) if cli is not None else find_cli(cwd)
        # A short folder name: a Unix socket path must fit in 108 bytes.
        workdir = Path(tempfile.mkdtemp(prefix="nsomock-"))
        token = secrets.token_hex(16)
        if scenario is None:
            scenario_file = workdir / "idle.yaml"
            scenario_file.write_text(IDLE_SCENARIO, encoding="utf-8")
            scenario = str(scenario_file)
        args = [*command, "serve", "--scenario", scenario, "--control-port", "0", "--control-token", token]
        if tcp:
            args += ["--port", "0"]
        if unix:
            args += ["--unix", str(workdir / "ipc.sock")]
        if profile is not None:
            args += ["--profile", profile]
        access_file = None
        if access_secret is not None:
            access_file = workdir / "ipc_access"
            access_file.write_bytes(access_secret.encode("utf-8"))
            args += ["--access-secret-file", str(access_file)]
        args += list(extra_args)
        try:
            process = subprocess.Popen(args, cwd=str(cwd) if cwd else None, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as error:
            shutil.rmtree(workdir, ignore_errors=True)
            raise NsoMockError(f"Failed to start nso-mock: {error} ({shlex.join(args)})") from None
        stderr_lines: List[str] = []
        lines: "queue.Queue[Optional[str]]" = queue.Queue()

        def pump_stdout() -> None:
            for line in process.stdout:  # type: ignore[union-attr]
                lines.put(line)
            lines.put(None)

        def pump_stderr() -> None:
            for line in process.stderr:  # type: ignore[union-attr]
                stderr_lines.append(line.rstrip("\n"))

        threading.Thread(target=pump_stdout, daemon=True).start()
        threading.Thread(target=pump_stderr, daemon=True).start()
        try:
            first = lines.get(timeout=start_timeout)
        except queue.Empty:
            first = None
            _stop_process(process)
        if first is None:
            _stop_process(process)
            time.sleep(0.05)  # let the stderr pump finish reading
            shutil.rmtree(workdir, ignore_errors=True)
            raise NsoMockError(f"Failed to start nso-mock: no ready line (exit code {process.poll()}; {shlex.join(args)}); its log:\n" + "\n".join(stderr_lines))
        try:
            ready = json.loads(first)
            assert ready.get("event") == "ready" and ready.get("control"), ready
        except (ValueError, AssertionError):
            _stop_process(process)
            shutil.rmtree(workdir, ignore_errors=True)
            raise NsoMockError(f"Failed to start nso-mock: its first stdout line is not the ready line: {first!r}") from None
        mock = cls(process, ready, token, workdir, stderr_lines)
        mock.access_file = access_file
        return mock

    def spawn(self, args: Sequence[str], *, env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None) -> Consumer:
        """Starts a consumer with :attr:`env` (plus ``env``); it is stopped when the mock stops."""
        consumer = Consumer(args, {**self.env, **(env or {})}, cwd)
        self.consumers.append(consumer)
        return consumer

    def problems(self, ack_grace: float = 2.0) -> Optional[str]:
        """What a test must not end with: violations, or acks still owed after ``ack_grace`` seconds
        (an ack may be on its way). None when there is nothing; otherwise the readable text."""
        parts = []
        violations = self.violations()
        if violations:
            parts.append(f"nso-mock recorded {len(violations)} protocol violation{'' if len(violations) == 1 else 's'}:\n" + "\n".join(f"  {v['text']}" for v in violations))
        deadline = time.monotonic() + ack_grace
        answer = self.request("GET", "/pending-acks")
        while answer["pending"] and time.monotonic() < deadline:
            time.sleep(0.05)
            answer = self.request("GET", "/pending-acks")
        if answer["pending"]:
            count = len(answer["pending"])
            parts.append(f"nso-mock: {count} ack{'' if count == 1 else 's'} still owed at the end of the test (waited {ack_grace}s for it):\n{answer['table']}")
        return "\n\n".join(parts) or None

    def stop(self) -> Optional[int]:
        """Stops the consumers, then the mock (SIGTERM, as a user's Ctrl-C); returns its exit code."""
        for consumer in self.consumers:
            consumer.stop()
        code = _stop_process(self.process)
        shutil.rmtree(self.workdir, ignore_errors=True)
        return code

    def __enter__(self) -> "NsoMock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _stop_process(process: "subprocess.Popen[str]", timeout: float = 15.0) -> Optional[int]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM if sys.platform != "win32" else signal.CTRL_BREAK_EVENT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
