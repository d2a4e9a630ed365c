"""A small typed client of nso-mock's HTTP control API (docs/control-api.md), standard library only.

Every method is one request. Errors of the API (`{error, message, details}`, 4xx/5xx) raise
:class:`ControlError`, whose ``code`` is the API's error code (``NSOMOCK_HARNESS_TIMEOUT`` for an ack
that did not come in time, ...). Deadlines (``within``) are seconds, as everywhere in Python; they
are sent as milliseconds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

try:  # Python >= 3.8 has TypedDict in typing
    from typing import TypedDict
except ImportError:  # pragma: no cover
    TypedDict = dict  # type: ignore[assignment,misc]

Mask = Union[int, Sequence[str]]
"""A subscription mask: the integer (16 = commit-diff) or the list of type names (``["commit-diff"]``)."""


class Delivery(TypedDict):
    """The answer of :meth:`ControlClient.emit`."""

    id: int
    type: str
    recipients: List[int]
    queued: bool
    acked: Dict[str, Any]


class PendingAck(TypedDict):
    connectionId: int
    peer: str
    ack: str
    since: int
    deadline: Optional[int]


class Violation(TypedDict):
    code: str
    connectionId: int
    expected: str
    actual: str
    time: int
    closed: bool
    text: str


class ControlError(Exception):
    """A control API request that answered an error (or could not be made)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{message} (HTTP {status} {code})")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def _ms(within: Optional[float]) -> Optional[int]:
    if within is None:
        return None
    if within < 0:
        raise ValueError(f"within must be >= 0 seconds, got {within}")
    return int(round(within * 1000))


class ControlClient:
    """Drives one running mock through its control API.

    >>> client = ControlClient("http://127.0.0.1:40002", token="s3cret")
    >>> client.emit({"type": "commit-diff", "th": 17})["acked"]["ok"]
    True
    """

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 330.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        # The HTTP timeout only guards against a hung mock; the API's own `within` (capped at 300 s) answers first.
        self.timeout = timeout

    # -- the endpoints -----------------------------------------------------------------------

    def ready(self) -> Dict[str, Any]:
        """``GET /ready``: ``{ready, tcp, unix, subscribers}``."""
        return self.request("GET", "/ready")

    def subscribers(self) -> List[Dict[str, Any]]:
        """``GET /subscribers``: every connection with its mask, phase and pending acks."""
        return self.request("GET", "/subscribers")

    def emit(
        self,
        notification: Mapping[str, Any],
        *,
        wait: bool = True,
        within: Optional[float] = None,
        stream: Optional[str] = None,
        verbosity: Optional[int] = None,
    ) -> Delivery:
        """``POST /emit``: sends one notification (the scenario format's friendly form, e.g.
        ``{"type": "commit-diff", "th": 17}``) and, unless ``wait=False``, returns once every recipient
        acked it. Raises :class:`ControlError` ``NSOMOCK_HARNESS_TIMEOUT`` naming the missing ack when
        an ack does not come within ``within`` seconds."""
        body: Dict[str, Any] = {"notification": dict(notification)}
        if not wait:
            body["wait"] = False
        if within is not None:
            body["within"] = _ms(within)
        if stream is not None:
            body["stream"] = stream
        if verbosity is not None:
            body["verbosity"] = verbosity
        return self.request("POST", "/emit", body)

    def play(self, scenario: Union[str, Path, Mapping[str, Any]], *, seed: Optional[int] = None) -> Dict[str, Any]:
        """``POST /play``: plays a scenario — a file (``Path`` or a path ending in .yaml/.yml/.json),
        its YAML text, or a scenario document — and returns the run report (``status``, ``failures``…)."""
        doc: Any
        if isinstance(scenario, Path) or (isinstance(scenario, str) and "\n" not in scenario and scenario.endswith((".yaml", ".yml", ".json"))):
            doc = Path(scenario).read_text(encoding="utf-8")
        else:
            doc = scenario if isinstance(scenario, str) else dict(scenario)
        body: Dict[str, Any] = {"scenario": doc}
        if seed is not None:
            body["seed"] = seed
        return self.request("POST", "/play", body)

    def wait_for_subscribers(self, count: int = 1, *, mask: Optional[Mask] = None, within: Optional[float] = None) -> List[Dict[str, Any]]:
        """``POST /wait-for-subscribers``: returns once ``count`` consumers subscribed (with ``mask``
        covered, if given)."""
        body: Dict[str, Any] = {"count": count}
        if mask is not None:
            body["mask"] = mask if isinstance(mask, int) else list(mask)
        if within is not None:
            body["within"] = _ms(within)
        return self.request("POST", "/wait-for-subscribers", body)

    def wait_for_ack(
        self,
        *,
        th: Optional[int] = None,
        usid: Optional[int] = None,
        kind: Optional[str] = None,
        connection_id: Optional[int] = None,
        within: Optional[float] = None,
        after_seq: Optional[int] = None,
    ) -> Dict[str, Any]:
        """``POST /wait-for-ack``: the first matching ack (acks already received count)."""
        body: Dict[str, Any] = {}
        for key, value in (("th", th), ("usid", usid), ("kind", kind), ("connectionId", connection_id), ("afterSeq", after_seq)):
            if value is not None:
                body[key] = value
        if within is not None:
            body["within"] = _ms(within)
        return self.request("POST", "/wait-for-ack", body)

    def journal(self, *, connection: Optional[int] = None, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """``GET /journal``: frames in and out, terms in Erlang syntax."""
        query = "&".join(f"{k}={v}" for k, v in (("connection", connection), ("limit", limit)) if v is not None)
        return self.request("GET", "/journal" + (f"?{query}" if query else ""))

    def violations(self) -> List[Violation]:
        """``GET /violations``: the protocol mistakes the consumers made (``text`` reads as a sentence)."""
        return self.request("GET", "/violations")

    def acks(self) -> List[Dict[str, Any]]:
        """``GET /acks``: every ack received."""
        return self.request("GET", "/acks")

    def pending_acks(self) -> List[PendingAck]:
        """``GET /pending-acks``: acks owed right now."""
        return self.request("GET", "/pending-acks")["pending"]

    def pending_acks_table(self) -> str:
        """The readable table of the acks owed right now ("No acks are pending." when none)."""
        return self.request("GET", "/pending-acks")["table"]

    def reset(self, *, disconnect: bool = False) -> None:
        """``POST /reset``: forgets journal, violations and acks (and drops the consumers with ``disconnect``)."""
        self.request("POST", "/reset", {"disconnect": disconnect})

    def heartbeats(self, *, hung: bool) -> None:
        """``POST /heartbeats``: ``hung=True`` stops heartbeats and health checks (a hung NSO)."""
        self.request("POST", "/heartbeats", {"hung": hung})

    # -- transport ---------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One request; returns the decoded JSON answer (None for 204)."""
        # No content-type without a body: the API refuses an empty JSON body.
        headers = {} if body is None else {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            try:
                answer = json.loads(text)
            except ValueError:
                answer = {"error": "http", "message": text or error.reason}
            raise ControlError(error.code, str(answer.get("error")), str(answer.get("message")), answer.get("details")) from None
        except urllib.error.URLError as error:
            raise ControlError(0, "unreachable", f"Failed to reach the control API: {error.reason} ({self.url}{path})") from None
