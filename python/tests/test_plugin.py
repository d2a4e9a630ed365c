"""The nso_mock fixture against the real built CLI and the example consumers of examples/clients."""

from __future__ import annotations

import os
import socket
import stat
import sys
from pathlib import Path

import pytest

from conftest import PLUGIN_ARGS, REPO
from pytest_nso_mock import ControlError, NsoMock, NsoMockError, find_cli

CLIENTS = REPO / "examples" / "clients" / "python"
EXAMPLES = REPO / "python" / "examples"
CONSUMER = [sys.executable, str(CLIENTS / "nso_events_client.py"), "--mask", "commit-diff,audit,audit-sync"]
BUGGY = [sys.executable, str(CLIENTS / "nso_events_client_buggy.py"), "--mask", "commit-diff"]


def run_pytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # -p no:cacheprovider: nothing written into the clone
    return pytester.runpytest_subprocess(*PLUGIN_ARGS, "-p", "no:cacheprovider", "-rA", *args)


# -- the examples, as a user runs them ---------------------------------------------------------


def test_the_example_consumer_tests_pass(pytester: pytest.Pytester) -> None:
    result = run_pytest(pytester, str(EXAMPLES / "test_consumer.py"))
    result.assert_outcomes(passed=2)


def test_a_forgotten_ack_fails_the_test_naming_the_ack(pytester: pytest.Pytester) -> None:
    result = run_pytest(pytester, str(EXAMPLES / "test_forgotten_ack.py"))
    # The test itself fails (not its teardown): the body passed, the mock's check did not.
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*nso-mock: 1 ack still owed at the end of the test*", "*{17,done}*"])
    result.stdout.fnmatch_lines(["FAILED *test_consumer_that_forgets_the_diff_ack*"])


def test_a_violation_fails_the_test_with_its_text(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_wrong_th=f"""
        import sys
        BUGGY = {BUGGY + ["--bug", "wrong-th"]!r}

        def test_it(nso_mock):
            nso_mock.spawn(BUGGY)
            nso_mock.wait_for_subscribers(mask=["commit-diff"])
            nso_mock.emit({{"type": "commit-diff", "th": 17}}, wait=False)
            nso_mock.wait_for_ack(th=18, within=30)
        """
    )
    result = run_pytest(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*nso-mock recorded 1 protocol violation*", "*{17,done}*"])


def test_options_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nnso_mock_profile = nso62\nnso_mock_unix = true\n")
    pytester.makepyfile(
        test_ini="""
        import os
        def test_it(nso_mock):
            assert nso_mock.unix_path and os.path.exists(nso_mock.unix_path)
            assert nso_mock.env["NCS_IPC_PATH"] == nso_mock.unix_path
            assert "--profile" in nso_mock.process.args and "nso62" in nso_mock.process.args
        """
    )
    run_pytest(pytester).assert_outcomes(passed=1)


def test_the_mock_that_cannot_start_fails_the_test_with_its_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pytest
        @pytest.mark.nso_mock(profile="no-such-profile")
        def test_it(nso_mock):
            pass
        """
    )
    result = run_pytest(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Failed to start nso-mock: no ready line*", "*no-such-profile*"])


# -- the fixture directly ------------------------------------------------------------------------


@pytest.mark.nso_mock(unix=True, tcp=False)
def test_a_consumer_on_the_unix_socket(nso_mock: NsoMock) -> None:
    assert nso_mock.port is None and nso_mock.unix_path is not None
    assert stat.S_ISSOCK(os.stat(nso_mock.unix_path).st_mode)
    consumer = nso_mock.spawn(CONSUMER)
    [sub] = nso_mock.wait_for_subscribers(mask=["commit-diff"])
    assert sub["transport"] == "unix"
    assert nso_mock.emit({"type": "commit-diff", "th": 5, "comment": "over unix"})["acked"]["ok"] is True
    consumer.wait_for(lambda n: n.get("commit_diff", {}).get("comment") == "over unix")


@pytest.mark.parametrize("nso_mock", [{"access_secret": "s3cret", "profile": "nso62"}], indirect=True)
def test_access_secret_and_profile_as_fixture_parameters(nso_mock: NsoMock) -> None:
    assert nso_mock.access_file is not None and nso_mock.access_file.read_bytes() == b"s3cret"
    assert nso_mock.env["NCS_IPC_ACCESS_FILE"] == str(nso_mock.access_file)
    nso_mock.spawn(CONSUMER + ["--binding", "nso62"])
    [sub] = nso_mock.wait_for_subscribers(mask=["commit-diff"])
    assert sub["profile"] == "nso62"
    assert nso_mock.emit({"type": "commit-diff", "th": 9})["acked"]["expected"] == "{9,done}"


def test_an_access_secret_refuses_a_consumer_without_it() -> None:
    with NsoMock.start(cli=find_cli(), access_secret="s3cret") as mock:
        consumer = mock.spawn(CONSUMER, env={"NCS_IPC_ACCESS_FILE": ""})
        assert consumer.process.wait(60) == 3  # the example client's exit code for a refused handshake
        assert mock.subscribers() == []


@pytest.mark.nso_mock(check=False)
def test_emit_names_the_missing_ack_when_it_does_not_come(nso_mock: NsoMock) -> None:
    nso_mock.spawn(BUGGY + ["--bug", "forget-diff-ack"])
    nso_mock.wait_for_subscribers(mask=["commit-diff"])
    # The ack never comes, so this deadline is not one a slow machine could miss.
    with pytest.raises(ControlError) as raised:
        nso_mock.emit({"type": "commit-diff", "th": 21}, within=0.3)
    assert raised.value.status == 504 and raised.value.code == "NSOMOCK_HARNESS_TIMEOUT"
    assert "{21,done}" in raised.value.message  # the table of what is owed
    assert raised.value.details["pending"][0]["expected"] == {"kind": "diff-done", "th": 21}
    [pending] = nso_mock.pending_acks()
    assert pending["ack"] == "{21,done}"
    assert "{21,done}" in nso_mock.pending_acks_table()


def test_journal_play_and_reset(nso_mock: NsoMock, tmp_path: Path) -> None:
    nso_mock.spawn(CONSUMER)
    nso_mock.wait_for_subscribers(mask=["commit-diff"])
    scenario = tmp_path / "one.yaml"
    scenario.write_text("name: one commit\nsteps:\n  - emit: { type: commit-diff, th: 3 }\n  - expect-ack: { th: 3, within: 30s }\n")
    report = nso_mock.play(scenario)
    assert report["status"] == "passed", report
    journal = nso_mock.journal()
    assert [e["term"] for e in journal if e["direction"] == "in" and e["kind"] == "frame"][-1] == "{3,done}"
    assert len(nso_mock.journal(limit=2)) == 2
    assert [a["ack"] for a in nso_mock.acks()] == ["{3,done}"]
    nso_mock.reset()
    assert nso_mock.acks() == [] and nso_mock.violations() == []


def test_a_wrong_token_is_refused(nso_mock: NsoMock) -> None:
    from pytest_nso_mock import ControlClient

    with pytest.raises(ControlError) as raised:
        ControlClient(nso_mock.url, token="wrong").violations()
    assert raised.value.status == 401


# -- finding the CLI -----------------------------------------------------------------------------


def test_find_cli_order(tmp_path: Path) -> None:
    assert find_cli(tmp_path, {"NSO_MOCK_CLI": "/opt/nso-mock/dist/cli/main.js"})[1:] == ["/opt/nso-mock/dist/cli/main.js"]
    assert find_cli(tmp_path, {"NSO_MOCK_CLI": "node /x/main.js --verbose"}) == ["node", "/x/main.js", "--verbose"]
    assert find_cli(tmp_path, {"NSO_MOCK_CLI": "a"}, configured="b c") == ["b", "c"]
    project = tmp_path / "project"
    (project / "node_modules" / ".bin").mkdir(parents=True)
    (project / "node_modules" / ".bin" / "nso-mock").write_text("#!/bin/sh\n")
    (project / "tests").mkdir()
    assert find_cli(project / "tests", {"PATH": ""}) == [str((project / "node_modules/.bin/nso-mock").resolve())]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    on_path = bin_dir / "nso-mock"
    on_path.write_text("#!/bin/sh\n")
    on_path.chmod(0o755)
    assert find_cli(tmp_path / "bin", {"PATH": str(bin_dir)}) == [str(on_path)]
    with pytest.raises(NsoMockError, match="set NSO_MOCK_CLI"):
        find_cli(tmp_path, {"PATH": ""})
