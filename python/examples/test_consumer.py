"""Tests of an NSO event consumer with the nso_mock fixture (pip install ./python; then just pytest).

The consumer under test is examples/clients/python/nso_events_client.py; put your own command in
CONSUMER. It finds the mock through NCS_IPC_PORT (nso_mock.spawn sets it), as NSO's libraries do.
"""

import sys
from pathlib import Path

CONSUMER = [sys.executable, str(Path(__file__).resolve().parents[2] / "examples/clients/python/nso_events_client.py"), "--mask", "commit-diff,audit,audit-sync"]


def test_acks_every_commit_diff(nso_mock):
    consumer = nso_mock.spawn(CONSUMER)
    nso_mock.wait_for_subscribers(mask=["commit-diff", "audit-sync"])
    delivery = nso_mock.emit({"type": "commit-diff", "th": 17, "comment": "nightly"})  # returns once acked
    assert delivery["acked"]["expected"] == "{17,done}"
    consumer.wait_for(lambda n: n.get("commit_diff", {}).get("comment") == "nightly")


def test_syncs_audit_lines(nso_mock):
    nso_mock.spawn(CONSUMER)
    nso_mock.wait_for_subscribers(mask=["audit", "audit-sync"])
    assert nso_mock.emit({"type": "audit", "usid": 42, "msg": "commit by admin"})["acked"]["expected"] == "{42,synced}"
