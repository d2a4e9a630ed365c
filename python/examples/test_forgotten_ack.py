"""A consumer that forgets to ack a commit diff (NSO's commit would hang): this test FAILS at its
end, naming the missing ack `{17,done}` in nso-mock's pending-acks table. (python/tests runs it and
checks that it fails.)"""

import sys
from pathlib import Path

BUGGY = [sys.executable, str(Path(__file__).resolve().parents[2] / "examples/clients/python/nso_events_client_buggy.py"), "--bug", "forget-diff-ack", "--mask", "commit-diff"]


def test_consumer_that_forgets_the_diff_ack(nso_mock):
    consumer = nso_mock.spawn(BUGGY)
    nso_mock.wait_for_subscribers(mask=["commit-diff"])
    nso_mock.emit({"type": "commit-diff", "th": 17, "comment": "nightly"}, wait=False)
    consumer.wait_for(lambda n: n.get("commit_diff", {}).get("comment") == "nightly")  # decoded it, but no ack
