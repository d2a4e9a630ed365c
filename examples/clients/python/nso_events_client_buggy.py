#!/usr/bin/env python3
"""A deliberately buggy variant of nso_events_client.py, for testing nso-mock's `conform` and
`fuzz` runners: each bug is selectable, so a test can check that the runner catches exactly it.

    nso_events_client_buggy.py --bug forget-diff-ack [--bug ...] <the options of nso_events_client.py>

Bugs (default: forget-diff-ack):

  forget-diff-ack   never sends `{TH, done}` after a commit diff (§12.1), so the commit blocks
  wrong-th          acks a commit diff with TH + 1 instead of the TH of element 4 (§11.4)
  crash-on-unknown  has no decoder for call home, audit network and compaction and dies with an
                    uncaught exception on them (what econfd 5.7.1 does for call home, §18)
  misdecode         swaps `logno` and `prio` when decoding the syslog family (§11.2)
  ignore-sync       never acks audit / audit-network / HA sync notifications (§12.1)
  late-ack          sends every ack --bug-delay seconds late (default 2 s)
  hang              stops reading after the first notification (a stuck subscriber, §1.2)
  no-watchdog       ignores missing heartbeats (§13)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nso_events_client as good  # noqa: E402

BUGS = ("forget-diff-ack", "wrong-th", "crash-on-unknown", "misdecode", "ignore-sync", "late-ack", "hang", "no-watchdog")


class BuggyDecoder(good.Decoder):
    def __init__(self, binding: str, bugs: set[str]) -> None:
        super().__init__(binding)
        self.bugs = bugs
        if "crash-on-unknown" in bugs:
            for bit in (33554432, 268435456, 1073741824):
                del self.table[bit]

    def decode(self, term: Any) -> dict[str, Any]:
        if "crash-on-unknown" in self.bugs:
            handler = self.table[term[0]]  # KeyError escapes: the bug
            return {"type": term[0], **handler(term)}
        return super().decode(term)

    def syslog(self, t: tuple[Any, ...]) -> dict[str, Any]:
        view = super().syslog(t)
        if "misdecode" in self.bugs:
            inner = view["syslog"]
            inner["prio"], inner["logno"] = inner["logno"], inner["prio"]
        return view


class BuggyClient(good.EventClient):
    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        self.bugs: set[str] = set(args.bug or ["forget-diff-ack"])
        self.decoder = BuggyDecoder(args.binding, self.bugs)

    def delay(self) -> None:
        if "late-ack" in self.bugs:
            time.sleep(self.args.bug_delay)

    def send_diff_ack(self, th: int) -> None:
        if "forget-diff-ack" in self.bugs:
            return
        self.delay()
        super().send_diff_ack(th + 1 if "wrong-th" in self.bugs else th)

    def send_audit_ack(self, usid: int) -> None:
        if "ignore-sync" not in self.bugs:
            self.delay()
            super().send_audit_ack(usid)

    def send_audit_network_ack(self, usid: int) -> None:
        if "ignore-sync" not in self.bugs:
            self.delay()
            super().send_audit_network_ack(usid)

    def send_ha_ack(self) -> None:
        if "ignore-sync" not in self.bugs:
            self.delay()
            super().send_ha_ack()

    def handle(self, payload: bytes) -> None:
        # crash-on-unknown needs no code here: the KeyError from BuggyDecoder.decode is not a
        # BadNotification, so it escapes the good client's error handling and ends the process.
        super().handle(payload)
        if "hang" in self.bugs:
            while True:
                time.sleep(3600)

    def watchdog_seconds(self) -> float | None:
        return None if "no-watchdog" in self.bugs else super().watchdog_seconds()


def main(argv: list[str] | None = None) -> int:
    parser = good.build_parser()
    parser.add_argument("--bug", action="append", choices=BUGS, help="a bug to enable (repeatable)")
    parser.add_argument("--bug-delay", type=float, default=2.0, help="seconds of delay for late-ack")
    return good.main(argv, BuggyClient, parser)


if __name__ == "__main__":
    sys.exit(main())
