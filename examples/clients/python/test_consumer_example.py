"""An example test suite for an NSO event consumer, driven through nso-mock's HTTP control API.

Standard library only; runs under pytest or `python3 -m unittest`. Start the mock first (README.md,
"Use it in CI", does exactly this), then give the tests the two addresses of its ready line:

    node_modules/.bin/nso-mock serve --scenario examples/idle.yaml --port 0 --control-port 0 > ready.jsonl &
    until [ -s ready.jsonl ]; do sleep 0.1; done
    export NCS_IPC_PORT=$(head -1 ready.jsonl | jq .tcp.port)
    export NSO_MOCK_CONTROL=$(head -1 ready.jsonl | jq -r .control)
    python3 -m pytest examples/clients/python/test_consumer_example.py

The consumer under test is `nso_events_client.py` from this folder (it acks commit diffs and, with
audit-sync in its mask, audit lines); put your own consumer's command in CONSUMER. If the mock
requires a token (`--control-token` or NSO_MOCK_CONTROL_TOKEN), the tests send the same
NSO_MOCK_CONTROL_TOKEN. Endpoints: docs/control-api.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MASK = ["commit-diff", "audit", "audit-sync"]
MASK_BITS = 16 | 1 | 131072  # NOTIF_COMMIT_DIFF | NOTIF_AUDIT | NOTIF_AUDIT_SYNC (the control API takes the integer)
# The consumer reads NCS_IPC_PORT (and NCS_IPC_ADDR / NCS_IPC_PATH) like NSO's own libraries do.
CONSUMER = [sys.executable, str(HERE / "nso_events_client.py"), "--mask", ",".join(MASK)]


def control(method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One control API call; returns (HTTP status, decoded JSON body or None)."""
    base = os.environ.get("NSO_MOCK_CONTROL")
    if not base:
        raise RuntimeError("set NSO_MOCK_CONTROL to the mock's control URL (the ready line's \"control\")")
    # No content-type without a body: fastify refuses an empty JSON body.
    headers = {} if body is None else {"content-type": "application/json"}
    token = os.environ.get("NSO_MOCK_CONTROL_TOKEN")
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry a JSON body ({error, message, details})
        text = error.read().decode()
        return error.code, json.loads(text) if text else None


class ConsumerTest(unittest.TestCase):
    consumer: subprocess.Popen[str]
    printed: list[dict[str, Any]]

    @classmethod
    def setUpClass(cls) -> None:
        control("POST", "/reset", {"disconnect": True})  # start from a clean mock
        cls.consumer = subprocess.Popen(CONSUMER, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        cls.printed = []
        # The example consumer prints each notification it decoded as a JSON line.
        threading.Thread(target=lambda: cls.printed.extend(json.loads(line) for line in cls.consumer.stdout), daemon=True).start()
        status, body = control("POST", "/wait-for-subscribers", {"count": 1, "mask": MASK_BITS, "within": 5000})
        assert status == 200, body

    @classmethod
    def tearDownClass(cls) -> None:
        cls.consumer.terminate()
        cls.consumer.wait(timeout=5)

    def tearDown(self) -> None:
        # After every test: nothing owed, no protocol mistake; then forget this test's traffic.
        status, body = control("POST", "/assert-no-pending-acks")
        self.assertEqual(status, 204, body)
        self.assertEqual(control("GET", "/violations")[1], [])
        control("POST", "/reset", {})

    def test_acks_every_commit_diff(self) -> None:
        # /emit answers once the consumer acked {17, done}, or 504 after `within` ms.
        status, delivery = control("POST", "/emit", {"notification": {"type": "commit-diff", "th": 17, "comment": "nightly"}, "within": 5000})
        self.assertEqual(status, 200, delivery)
        self.assertTrue(delivery["acked"]["ok"], delivery)
        self.assertEqual(delivery["acked"]["expected"], "{17,done}")

    def test_syncs_audit_lines(self) -> None:
        status, delivery = control("POST", "/emit", {"notification": {"type": "audit", "usid": 42, "msg": "commit by admin"}, "within": 5000})
        self.assertEqual(status, 200, delivery)
        self.assertEqual(delivery["acked"]["expected"], "{42,synced}")

    def test_decodes_the_commit_comment(self) -> None:
        control("POST", "/emit", {"notification": {"type": "commit-diff", "th": 18, "comment": "ticket 4711"}, "within": 5000})
        deadline = time.monotonic() + 5
        while not any(n.get("commit_diff", {}).get("comment") == "ticket 4711" for n in self.printed):
            self.assertLess(time.monotonic(), deadline, f"the consumer printed {self.printed}")
            time.sleep(0.02)


if __name__ == "__main__":
    unittest.main()
