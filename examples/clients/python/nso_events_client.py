#!/usr/bin/env python3
"""A small NSO event-notification client, standard library only (Python >= 3.11).

It speaks the protocol the way the NSO 5.7.1 C library (and therefore Python's `_ncs.events`) does,
so it is a stand-in for a real subscriber when testing nso-mock, and a runnable example of a client
that nso-mock's `conform` and `fuzz` commands can check. Section references (§n) point at
PROTOCOL.md.

What it does:

* sends the C-style connect header `0b 00 4d 07 07 01 00 3c 12` (§2), with bit 0x80 set and the v1
  (MD5) access check run when `CONFD_IPC_ACCESS_FILE` or `NCS_IPC_ACCESS_FILE` names a file (§3);
* checks the 9-byte version reply (§4) the way the C library does;
* subscribes with the 5-tuple of §8.1, atoms encoded as SMALL_ATOM_UTF8_EXT like the C library (§8.3);
* decodes every notification type of §11 with its own Erlang term decoder (§6) and prints each one
  as a JSON line on stdout, in the form of the test vectors' `python_dict` (what
  `_ncs.events.read_notification()` returns, minus `_notif`);
* acks what must be acked (§12): `{TH, done}` after every commit diff, `{Usid, synced}` with
  AUDIT_SYNC, `{Usid, audit_network_sync}` with AUDIT_NETWORK_SYNC, `ha_synced` with HA_INFO_SYNC;
* with `--heartbeat MS`, watches the heartbeats and gives up when three intervals pass without one
  (§13: heartbeats exist so that a client can detect a hung server).

Exit codes: 0 normal end (server closed the connection, `--count` reached, `--idle-exit` elapsed),
1 unexpected error, 2 usage error, 3 connection / handshake / subscription failure or connection
lost mid-frame, 4 heartbeat watchdog fired. Diagnostics go to stderr as JSON lines.

Other modes: `--decode-frames` reads hex frames (or bare terms) from stdin, one per line, and prints
the decoded dict (or `{"error": ...}`) per line; the tests use it against the vectors.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import socket
import struct
import sys
import time
from typing import Any, Callable

# ---------------------------------------------------------------------------------------------
# Constants (§10.1, §A)
# ---------------------------------------------------------------------------------------------

NOTIF_BITS: dict[str, int] = {
    "NOTIF_AUDIT": 1,
    "NOTIF_DAEMON": 2,
    "NOTIF_TAKEOVER_SYSLOG": 4,
    "NOTIF_COMMIT_SIMPLE": 8,
    "NOTIF_COMMIT_DIFF": 16,
    "NOTIF_USER_SESSION": 32,
    "NOTIF_HA_INFO": 64,
    "NOTIF_SUBAGENT_INFO": 128,
    "NOTIF_COMMIT_FAILED": 256,
    "NOTIF_SNMPA": 512,
    "NOTIF_FORWARD_INFO": 1024,
    "NOTIF_NETCONF": 2048,
    "NOTIF_DEVEL": 4096,
    "NOTIF_HEARTBEAT": 8192,
    "NOTIF_CONFIRMED_COMMIT": 16384,
    "NOTIF_UPGRADE_EVENT": 32768,
    "NOTIF_COMMIT_PROGRESS": 65536,
    "NOTIF_AUDIT_SYNC": 131072,
    "NOTIF_HEALTH_CHECK": 262144,
    "NOTIF_STREAM_EVENT": 524288,
    "NOTIF_HA_INFO_SYNC": 1048576,
    "NCS_NOTIF_PACKAGE_RELOAD": 2097152,
    "NCS_NOTIF_CQ_PROGRESS": 4194304,
    "NOTIF_REOPEN_LOGS": 8388608,
    "NOTIF_PROGRESS": 16777216,
    "NCS_NOTIF_CALL_HOME_INFO": 33554432,
    "NOTIF_JSONRPC": 67108864,
    "NOTIF_WEBUI": 134217728,
    "NCS_NOTIF_AUDIT_NETWORK": 268435456,
    "NCS_NOTIF_AUDIT_NETWORK_SYNC": 536870912,
    "NOTIF_COMPACTION": 1073741824,
}

# nso-mock's kebab-case names (docs/architecture.md) for the same bits.
KEBAB_NAMES: dict[str, int] = {
    "audit": 1, "daemon": 2, "takeover-syslog": 4, "commit-simple": 8, "commit-diff": 16,
    "user-session": 32, "ha-info": 64, "subagent-info": 128, "commit-failed": 256, "snmpa": 512,
    "forward-info": 1024, "netconf": 2048, "devel": 4096, "heartbeat": 8192,
    "confirmed-commit": 16384, "upgrade": 32768, "commit-progress": 65536, "audit-sync": 131072,
    "health-check": 262144, "stream-event": 524288, "ha-info-sync": 1048576,
    "package-reload": 2097152, "cq-progress": 4194304, "reopen-logs": 8388608,
    "progress": 16777216, "call-home-info": 33554432, "jsonrpc": 67108864, "webui": 134217728,
    "audit-network": 268435456, "audit-network-sync": 536870912, "compaction": 1073741824,
}

AUDIT, COMMIT_DIFF, HA_INFO, HEARTBEAT = 1, 16, 64, 8192
AUDIT_SYNC, HA_INFO_SYNC = 131072, 1048576
HEALTH_CHECK, STREAM_EVENT = 262144, 524288
AUDIT_NETWORK, AUDIT_NETWORK_SYNC = 268435456, 536870912
SYSLOG_BITS = (2, 2048, 4096, 67108864, 134217728)

# §2: what the NSO 5.7.1 C library sends. Client type 11 = event manager.
CLIENT_TYPE_EVENT_MANAGER = 11
WANT_CHALLENGE = 0x80
PROTOCOL_VERSION = 77
LIBRARY_VERSION = 0x07070100
# What the real libraries send per binding (NSO62.md §A): 5.7.1 → 77, 6.2.5 → 82 / 0x08020500.
# nso66 is inferred: 86 is the mock's placeholder, above every known version.
HEADER_VERSIONS = {"nso57": (77, 0x07070100), "nso62": (82, 0x08020500), "nso66": (86, 0x08060000)}
MAX_DEPTH, MAX_KEYLEN = 60, 18

AF_INET, AF_INET6, AF_UNSPEC = 2, 10, 0  # Linux values, as in the vectors (§15)
CONFD_TIMEZONE_UNDEF = -111


class ClientFailure(Exception):
    """A failure with a defined exit code (connect, handshake, subscription, watchdog)."""

    def __init__(self, message: str, exit_code: int = 3) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ---------------------------------------------------------------------------------------------
# Erlang external term format: decoding (§6.1). Every tag a server may send is read, plus the
# decode-only forms (LARGE_BIG, LARGE_TUPLE, the four atom tags, FLOAT_EXT).
# ---------------------------------------------------------------------------------------------


class Atom(str):
    """An Erlang atom (a `str` subclass so it compares with plain strings)."""

    def __repr__(self) -> str:
        return f"Atom({str.__repr__(self)})"


class ImproperList:
    """A list whose tail is not `[]`, e.g. `[NsHash | TagHash]` (§9.4)."""

    __slots__ = ("elements", "tail")

    def __init__(self, elements: list[Any], tail: Any) -> None:
        self.elements = elements
        self.tail = tail

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImproperList) and (self.elements, self.tail) == (other.elements, other.tail)

    def __repr__(self) -> str:
        return f"ImproperList({self.elements!r}, {self.tail!r})"


class DecodeError(Exception):
    pass


MAX_DEPTH_DECODE = 128


def decode_term(data: bytes) -> Any:
    """Decode one complete term (starting with the version byte 131); trailing bytes are an error."""
    if len(data) < 1 or data[0] != 131:
        raise DecodeError("bad version byte")
    value, end = _decode(data, 1, 0)
    if end != len(data):
        raise DecodeError(f"trailing bytes at {end}")
    return value


def _need(data: bytes, pos: int, n: int) -> None:
    if pos + n > len(data):
        raise DecodeError(f"truncated at byte {pos}")


def _decode(data: bytes, pos: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH_DECODE:
        raise DecodeError("term too deep")
    _need(data, pos, 1)
    tag = data[pos]
    pos += 1
    if tag == 97:  # SMALL_INTEGER_EXT
        _need(data, pos, 1)
        return data[pos], pos + 1
    if tag == 98:  # INTEGER_EXT
        _need(data, pos, 4)
        return struct.unpack_from(">i", data, pos)[0], pos + 4
    if tag in (110, 111):  # SMALL_BIG_EXT, LARGE_BIG_EXT (magnitude little-endian, §1.3)
        if tag == 110:
            _need(data, pos, 2)
            n = data[pos]
            pos += 1
        else:
            _need(data, pos, 5)
            n = struct.unpack_from(">I", data, pos)[0]
            pos += 4
        sign = data[pos]
        pos += 1
        _need(data, pos, n)
        magnitude = int.from_bytes(data[pos : pos + n], "little")
        return (-magnitude if sign else magnitude), pos + n
    if tag in (100, 118):  # ATOM_EXT (Latin-1), ATOM_UTF8_EXT
        _need(data, pos, 2)
        n = struct.unpack_from(">H", data, pos)[0]
        pos += 2
        _need(data, pos, n)
        raw = data[pos : pos + n]
        return Atom(raw.decode("latin-1" if tag == 100 else "utf-8")), pos + n
    if tag in (115, 119):  # SMALL_ATOM_EXT (Latin-1), SMALL_ATOM_UTF8_EXT
        _need(data, pos, 1)
        n = data[pos]
        pos += 1
        _need(data, pos, n)
        raw = data[pos : pos + n]
        return Atom(raw.decode("latin-1" if tag == 115 else "utf-8")), pos + n
    if tag == 109:  # BINARY_EXT
        _need(data, pos, 4)
        n = struct.unpack_from(">I", data, pos)[0]
        pos += 4
        _need(data, pos, n)
        return bytes(data[pos : pos + n]), pos + n
    if tag == 107:  # STRING_EXT: a list of small integers, as in Erlang
        _need(data, pos, 2)
        n = struct.unpack_from(">H", data, pos)[0]
        pos += 2
        _need(data, pos, n)
        return list(data[pos : pos + n]), pos + n
    if tag == 106:  # NIL_EXT
        return [], pos
    if tag == 108:  # LIST_EXT
        _need(data, pos, 4)
        n = struct.unpack_from(">I", data, pos)[0]
        pos += 4
        if n > len(data) - pos:
            raise DecodeError(f"list length {n} exceeds the input at byte {pos}")
        items = []
        for _ in range(n):
            item, pos = _decode(data, pos, depth + 1)
            items.append(item)
        tail, pos = _decode(data, pos, depth + 1)
        if tail == [] and not isinstance(tail, Atom):
            return items, pos
        return ImproperList(items, tail), pos
    if tag in (104, 105):  # SMALL_TUPLE_EXT, LARGE_TUPLE_EXT
        if tag == 104:
            _need(data, pos, 1)
            n = data[pos]
            pos += 1
        else:
            _need(data, pos, 4)
            n = struct.unpack_from(">I", data, pos)[0]
            pos += 4
        if n > len(data) - pos:
            raise DecodeError(f"tuple arity {n} exceeds the input at byte {pos}")
        items = []
        for _ in range(n):
            item, pos = _decode(data, pos, depth + 1)
            items.append(item)
        return tuple(items), pos
    if tag == 70:  # NEW_FLOAT_EXT
        _need(data, pos, 8)
        return struct.unpack_from(">d", data, pos)[0], pos + 8
    if tag == 99:  # FLOAT_EXT: 31 bytes of text
        _need(data, pos, 31)
        text = data[pos : pos + 31].split(b"\x00", 1)[0].decode("ascii")
        try:
            return float(text), pos + 31
        except ValueError as exc:
            raise DecodeError(f"bad float text at byte {pos}") from exc
    raise DecodeError(f"unknown tag {tag} at byte {pos - 1}")


# ---------------------------------------------------------------------------------------------
# Encoding, the way the C library does it (§6.3, §8.3): atoms as SMALL_ATOM_UTF8_EXT, integers as
# SMALL_INTEGER / INTEGER / SMALL_BIG.
# ---------------------------------------------------------------------------------------------


def encode_term(term: Any) -> bytes:
    out = bytearray([131])
    _encode(term, out)
    return bytes(out)


def _encode(term: Any, out: bytearray) -> None:
    if isinstance(term, Atom):
        raw = term.encode("utf-8")
        out += bytes([119, len(raw)]) + raw
    elif isinstance(term, bool):
        _encode(Atom("true" if term else "false"), out)
    elif isinstance(term, int):
        if 0 <= term <= 255:
            out += bytes([97, term])
        elif -(2**31) <= term < 2**31:
            out += b"b" + struct.pack(">i", term)
        else:
            magnitude = abs(term)
            size = 4 if magnitude < 2**32 else 8  # C: 4 bytes for unsigned 32-bit, 8 for 64-bit
            while magnitude >= 1 << (8 * size):
                size += 1
            out += bytes([110, size, 1 if term < 0 else 0]) + magnitude.to_bytes(size, "little")
    elif isinstance(term, bytes):
        out += b"m" + struct.pack(">I", len(term)) + term
    elif isinstance(term, tuple):
        out += bytes([104, len(term)])
        for element in term:
            _encode(element, out)
    elif isinstance(term, list):
        if term:
            out += b"l" + struct.pack(">I", len(term))
            for element in term:
                _encode(element, out)
        out.append(106)
    else:
        raise TypeError(f"cannot encode {term!r}")


def frame(term: Any) -> bytes:
    payload = encode_term(term)
    return struct.pack(">I", len(payload)) + payload


UNDEFINED = Atom("undefined")

# ---------------------------------------------------------------------------------------------
# Notification decoding (§9-§11) into the `read_notification` dict view of the vectors.
# ---------------------------------------------------------------------------------------------


class BadNotification(Exception):
    """What `_ncs.events.read_notification` raises as "Bad notification struct" (§10.3)."""


def text(value: Any, size: int | None = None) -> str:
    """A C string field (§6.5): binary or atom; stops at the first NUL; at most size - 1 bytes."""
    if isinstance(value, Atom):
        raw = str(value).encode("utf-8")
    elif isinstance(value, bytes):
        raw = value
    else:
        raise BadNotification(f"expected a string, got {value!r}")
    raw = raw.split(b"\x00", 1)[0]
    if size is not None:
        raw = raw[: size - 1]
    return raw.decode("utf-8", errors="replace")


def integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadNotification(f"expected an integer, got {value!r}")
    return value


def is_undefined(value: Any) -> bool:
    return isinstance(value, Atom) and value == "undefined"


def ip_fields(address: Any) -> dict[str, Any]:
    """§9.2: decided by tuple arity, 4 = IPv4, anything else = IPv6."""
    if not isinstance(address, tuple):
        raise BadNotification(f"expected an IP tuple, got {address!r}")
    if len(address) == 4:
        return {"af": AF_INET, "ip4": ipv4_text(address)}
    return {"af": AF_INET6, "ip6": ipv6_text(address)}


def ipv4_text(address: tuple[Any, ...]) -> str:
    return ".".join(str(integer(part) & 0xFF) for part in address)


def ipv6_text(address: tuple[Any, ...]) -> str:
    if len(address) != 8:
        raise BadNotification(f"bad IPv6 tuple {address!r}")
    packed = b"".join(struct.pack(">H", integer(part) & 0xFFFF) for part in address)
    return socket.inet_ntop(socket.AF_INET6, packed)  # the text form is inet_ntop's (§9.2)


def user_info(term: Any) -> dict[str, Any]:
    """§9.1: the 10-tuple uinfo as `_ncs.UserInfo`."""
    if not isinstance(term, tuple) or len(term) != 10:
        raise BadNotification("bad uinfo")
    usid, username, clearpass, context, proto, ip, port, logintime, snmp_ctx, flags = term
    ip_part = ip_fields(ip)
    return {
        "$type": "UserInfo",
        "usid": integer(usid),
        "username": text(username, 255),
        "clearpass": text(clearpass, 255),
        "context": text(context, 32),
        "proto": integer(proto),
        "af": ip_part["af"],
        "addr": ip_part.get("ip4", ip_part.get("ip6")),
        "port": integer(port),
        "logintime": integer(logintime),
        "snmp_v3_ctx": text(snmp_ctx, 255),
        "flags": integer(flags),
        "lmode": 0,
    }


def date_time_fields(term: Any) -> dict[str, Any]:
    """§9.3: `{19, {Y,Mo,D,H,Mi,S,Us,Tz,TzMin}}`; a `[]` timezone means none (-111)."""
    if not (isinstance(term, tuple) and len(term) == 2 and term[0] == 19):
        raise BadNotification("bad datetime")
    parts = term[1]
    if not (isinstance(parts, tuple) and len(parts) == 9):
        raise BadNotification("bad datetime")
    year, month, day, hour, minute, sec, micro, tz, tz_min = parts
    return {
        "$type": "DateTime",
        "year": integer(year),
        "month": integer(month),
        "day": integer(day),
        "hour": integer(hour),
        "min": integer(minute),
        "sec": integer(sec),
        "micro": integer(micro),
        "timezone": CONFD_TIMEZONE_UNDEF if tz == [] else integer(tz),
        "timezone_minutes": integer(tz_min),
    }


def tz_suffix(tz: Any, tz_min: Any) -> str:
    if tz == []:
        return ""
    hours, minutes = integer(tz), integer(tz_min)
    sign = "-" if hours < 0 or (hours == 0 and minutes < 0) else "+"
    return f"{sign}{abs(hours):02d}:{abs(minutes):02d}"


def fraction(micro: int) -> str:
    return f".{micro:06d}" if micro else ""


def value_view(term: Any) -> dict[str, Any]:
    """§9.4: an Erlang-form `confd_value_t` as `_ncs.Value` (`confd_type` and the natural `value`)."""

    def v(confd_type: int, *natural: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"$type": "Value", "confd_type": confd_type}
        if natural:
            out["value"] = natural[0]
        return out

    if isinstance(term, Atom):
        if term == "not_found":
            return v(1)
        if term in ("true", "false"):
            return v(17, term == "true")
        if term == "default":
            return v(42)
        return v(5, str(term))  # C turns any other atom into C_BUF
    if isinstance(term, bytes):
        return v(5, term.decode("utf-8", errors="replace"))
    if isinstance(term, bool):
        return v(17, term)
    if isinstance(term, int):
        return v(8, term)  # a bare integer is always C_INT32
    if isinstance(term, float):
        return v(14, term)
    if isinstance(term, list):
        return v(31, [value_view(item) for item in term])
    if isinstance(term, ImproperList):
        return v(2)  # C_XMLTAG
    if isinstance(term, tuple):
        if len(term) == 4:
            return v(15, ipv4_text(term))
        if len(term) == 8:
            return v(16, ipv6_text(term))
        if len(term) == 2 and isinstance(term[0], int) and not isinstance(term[0], bool):
            return typed_value(term[0], term[1], v)
    raise BadNotification(f"bad value {term!r}")


def typed_value(code: int, inner: Any, v: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    if code in (6, 7, 9, 10, 11, 12, 13, 28, 29, 30):  # sized integers, enums, bits
        return v(code, integer(inner))
    if code == 19:
        dt = date_time_fields((19, inner))
        text_form = (
            f"{dt['year']:04d}-{dt['month']:02d}-{dt['day']:02d}T{dt['hour']:02d}:{dt['min']:02d}:"
            f"{dt['sec']:02d}{fraction(dt['micro'])}{tz_suffix(inner[7], inner[8])}"
        )
        return v(19, text_form)
    if code in (18, 20, 23, 27, 34):
        # C_QNAME, C_DATE, C_TIME, C_DURATION, C_OBJECTREF: the vectors define no natural value for
        # these; like nso-mock's pythonDictView, report only the type.
        return v(code)
    if code in (40, 41, 48, 49) and isinstance(inner, tuple) and len(inner) == 2:
        address, length = inner
        address_text = ipv4_text(address) if code in (40, 48) else ipv6_text(address)
        return v(code, f"{address_text}/{integer(length)}")
    if code == 43 and isinstance(inner, tuple) and len(inner) == 2:
        # decimal64 as a float: the double nearest the integer, divided by 10^digits
        return v(43, float(integer(inner[0])) / float(10 ** integer(inner[1])))
    if code == 44 and isinstance(inner, tuple) and len(inner) == 2:
        return v(44, [integer(inner[0]), integer(inner[1])])
    if code == 38 and isinstance(inner, bytes):
        ids = [struct.unpack_from(">I", inner, i)[0] for i in range(0, len(inner) - len(inner) % 4, 4)]
        return v(38, ".".join(str(i) for i in ids))
    if code in (39, 46, 47, 50) and isinstance(inner, bytes):
        return v(code, list(inner))  # byte-valued types as lists of bytes
    raise BadNotification(f"bad typed value {code}")


TAG_VALUE_ATOMS = {"start": 32, "stop": 33, "leaf": 2, "delete": 45, "move_first": 51, "move_after": 52}


def tag_value(term: Any) -> dict[str, Any]:
    """§9.5: `{[NsHash | TagHash], Value}` with hashed tags (UseIKP = 0)."""
    if not (isinstance(term, tuple) and len(term) == 2):
        raise BadNotification("bad tag value")
    tag, value = term
    if not (isinstance(tag, ImproperList) and len(tag.elements) == 1):
        raise BadNotification("Internal error, bad tag element")
    ns, hashed = integer(tag.elements[0]), integer(tag.tail)
    if isinstance(value, Atom) and value in TAG_VALUE_ATOMS:
        v = {"$type": "Value", "confd_type": TAG_VALUE_ATOMS[value]}
    else:
        v = value_view(value)
    return {"$type": "TagValue", "ns": ns & 0xFFFFFFFF, "tag": hashed & 0xFFFFFFFF, "v": v}


def ha_node(term: Any) -> dict[str, Any]:
    """§9.7: `{NodeId, Address}`; the address is an IP tuple or a binary host name."""
    if not (isinstance(term, tuple) and len(term) == 2):
        raise BadNotification("bad HA node")
    node_id, address = term
    out: dict[str, Any] = {"nodeid": value_view(node_id)}
    if isinstance(address, bytes):
        out["af"] = AF_UNSPEC
        out["str"] = text(address, 128)
    else:
        out.update(ip_fields(address))
    return out


def optional_text(value: Any, size: int | None = None) -> str | None:
    return None if is_undefined(value) else text(value, size)


def binding_name(value: str) -> str:
    """The --binding value: nso57, nso62, nso66 (nso6x: deprecated alias of nso66)."""
    # "auto" ({profile} of a mock that picks per connection): act as the default, a 5.7 client
    names = {"nso57": "nso57", "nso62": "nso62", "nso66": "nso66", "nso6x": "nso66", "auto": "nso57"}
    if value not in names:
        raise argparse.ArgumentTypeError(f"unknown binding {value!r} (expected nso57, nso62 or nso66)")
    return names[value]


def value_text(confd_type: int, value: Any) -> str:
    """str(_ncs.Value) for a natural value (NSO62.md §C; verified for the types of the 6.2.5 vectors)."""
    if value is None:
        return ""
    if confd_type == 14 and isinstance(value, float):
        return "%f" % value
    if confd_type == 17:
        return "true" if value is True else "false"
    if isinstance(value, list):
        return ".".join(str(x) for x in value)
    return str(value)


def nso62_value(v: dict[str, Any], tag: tuple[Any, Any] | None) -> dict[str, Any]:
    confd_type = v.get("confd_type", 0)
    if confd_type in (2, 32, 33) and tag is not None:
        return {"$type": "Value", "confd_type": confd_type, "str": f"tag<{tag[1]}>", "pyval": {"$tuple": [tag[1], tag[0]]}}
    raw = v.get("value")
    if confd_type == 31 and isinstance(raw, list):
        items = [nso62_value(x, None) if isinstance(x, dict) else {"str": value_text(0, x), "pyval": x} for x in raw]
        return {"$type": "Value", "confd_type": 31, "str": " ".join(str(x["str"]) for x in items), "pyval": [x.get("pyval") for x in items]}
    return {"$type": "Value", "confd_type": confd_type, "str": value_text(confd_type, raw), "pyval": raw}


def nso62_objects(x: Any, tag: tuple[Any, Any] | None = None) -> Any:
    """The objects of the NSO 6.2.5 binding as the vectors render them (vectors README,
    python_dict_nso62): UserInfo has actx_thandle, TransCtxRef its 6.2.5 attributes (fd is
    uninitialised memory: {"$varies": "int"}), SnmpVarbind only `type`, Value `str` and `pyval`."""
    if isinstance(x, list):
        return [nso62_objects(i, tag) for i in x]
    if not isinstance(x, dict):
        return x
    kind = x.get("$type")
    if kind == "UserInfo":
        return {**x, "actx_thandle": 0}
    if kind == "TransCtxRef":
        uinfo = nso62_objects(x.get("uinfo", {}))
        return {"$type": "TransCtxRef", "fd": {"$varies": "int"}, "th": x.get("th", 0), "secondary_index": 0,
                "username": uinfo.get("username", ""), "context": uinfo.get("context", ""), "uinfo": uinfo, "traversal_id": 0}
    if kind == "SnmpVarbind":
        return {"$type": "SnmpVarbind", "type": x.get("type", 0)}
    if kind == "Value":
        return nso62_value(x, tag)
    if kind == "TagValue":
        v = x.get("v")
        return {**x, "v": nso62_value(v, (x.get("ns"), x.get("tag"))) if isinstance(v, dict) else v}
    return {k: nso62_objects(v, tag) for k, v in x.items()}


class Decoder:
    """Turns a notification term into the `read_notification` dict. `binding` selects the Python
    binding: "nso57" (NSO 5.7.1: old HA key names only, 19-field progress), "nso62" (NSO 6.2.5,
    NSO62.md: both HA key names, the 15-field progress, the 6.2.5 objects) or "nso66" (6.2.5 plus
    call-home type 3 with its device, inferred)."""

    def __init__(self, binding: str = "nso57") -> None:
        self.binding = binding
        self.table: dict[int, Callable[[tuple[Any, ...]], dict[str, Any]]] = {
            1: self.audit,
            8: self.commit_simple,
            16: self.commit_diff,
            32: self.user_session,
            64: self.ha_info,
            128: self.subagent,
            256: self.commit_failed,
            512: self.snmpa,
            1024: self.forward,
            16384: self.confirmed_commit,
            32768: self.upgrade,
            65536: self.progress,
            16777216: self.progress,
            524288: self.stream,
            4194304: self.cq_progress,
            33554432: self.call_home,
            268435456: self.audit_network,
            1073741824: self.compaction,
        }
        for bit in SYSLOG_BITS:
            self.table[bit] = self.syslog
        for bit in (8192, 262144, 2097152, 8388608):
            self.table[bit] = lambda t: {}

    def decode(self, term: Any) -> dict[str, Any]:
        if not (isinstance(term, tuple) and term and isinstance(term[0], int)):
            raise BadNotification("Bad notification struct")
        handler = self.table.get(term[0])
        if handler is None:
            raise BadNotification(f"Bad notification struct (unknown type {term[0]})")
        try:
            nested = handler(term)
        except (ValueError, IndexError, TypeError) as exc:
            raise BadNotification(f"Bad notification struct ({exc})") from exc
        out = {"type": term[0], **nested}
        return out if self.binding == "nso57" else nso62_objects(out)

    @staticmethod
    def arity(term: tuple[Any, ...], *allowed: int) -> None:
        if len(term) not in allowed:
            raise BadNotification(f"Bad notification struct (arity {len(term)})")

    def audit(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.1
        self.arity(t, 5)
        return {"audit": {"logno": integer(t[1]), "user": text(t[2], 255), "msg": text(t[4], 1024), "usid": integer(t[3])}}

    def syslog(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.2
        self.arity(t, 4)
        return {"syslog": {"prio": integer(t[2]), "logno": integer(t[1]), "msg": text(t[3], 1024)}}

    def commit_simple(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.3
        self.arity(t, 5)
        return {"commit": {"database": integer(t[1]), "diff_available": integer(t[3]), "flags": integer(t[4]), "uinfo": user_info(t[2])}}

    def commit_diff(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.4
        self.arity(t, 5, 7)
        uinfo = user_info(t[2])
        out: dict[str, Any] = {
            "database": integer(t[1]),
            "flags": integer(t[4]),
            "uinfo": uinfo,
            "tctx": {"$type": "TransCtxRef", "th": integer(t[3]), "fd": -1, "uinfo": uinfo},
        }
        if len(t) == 7:  # C looks at elements 6/7 only when the arity is exactly 7
            comment, label = text(t[5], 256), text(t[6], 256)
            if comment:
                out["comment"] = comment
            if label:
                out["label"] = label
        return {"commit_diff": out}

    def user_session(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.5
        self.arity(t, 4)
        return {"user_sess": {"type": integer(t[1]), "uinfo": user_info(t[2]), "database": integer(t[3])}}

    def ha_info(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.6
        self.arity(t, 2)
        inner = t[1]
        if not (isinstance(inner, tuple) and len(inner) == 2):
            raise BadNotification("bad HA info")
        ha_type, data = integer(inner[0]), inner[1]
        out: dict[str, Any] = {"type": ha_type}
        both = self.binding != "nso57"
        if ha_type == 1:
            if both:
                out["noprimary"] = integer(data)
            out["nomaster"] = integer(data)
        elif ha_type in (2, 3):
            node = ha_node(data)
            new, old = ("secondary_died", "slave_died") if ha_type == 2 else ("secondary_arrived", "slave_arrived")
            if both:
                out[new] = node
            out[old] = node
        elif ha_type == 4:
            out["cdb_initialized_by_copy"] = integer(data)
        elif ha_type in (5, 6):
            pass  # data ignored by every decoder
        elif ha_type == 7:
            if both:
                out["besecondary_result"] = integer(data)
            out["beslave_result"] = integer(data)
        else:
            raise BadNotification(f"Unknown ha info type {ha_type}")
        return {"hnot": out}

    def subagent(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.7
        self.arity(t, 2)
        sub_type, name = t[1]
        return {"subagent": {"type": integer(sub_type), "name": text(name, 32)}}

    def commit_failed(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.8
        provider = integer(t[1])
        out: dict[str, Any] = {"provider": provider, "dbname": integer(t[2])}
        if provider == 2:
            self.arity(t, 5)
            out["port"] = integer(t[4])
            out.update(ip_fields(t[3]))
        elif provider == 3:
            self.arity(t, 4)
            out["daemon_name"] = text(t[3], 255)
        return {"cfail": out}

    def snmpa(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.9
        self.arity(t, 2)
        pdu = t[1]
        if not (isinstance(pdu, tuple) and len(pdu) >= 10):
            raise BadNotification("bad SNMP PDU")
        pdu_type = integer(pdu[0])
        v1 = pdu_type == 1
        out: dict[str, Any] = {
            "pdu_type": pdu_type,
            "request_id": 0 if v1 else integer(pdu[1]),
            "error_status": 0 if v1 else integer(pdu[4]),
            "error_index": 0 if v1 else integer(pdu[5]),
            "port": integer(pdu[3]),
        }
        out.update(ip_fields(pdu[2]))
        num = integer(pdu[6])
        varbinds = pdu[7] if isinstance(pdu[7], list) else []
        if num != len(varbinds):
            raise BadNotification("varbind count mismatch")
        if num > 0:
            out["vb"] = [self.varbind(vb) for vb in varbinds]
        if v1:
            out["generic_trap"] = integer(pdu[5])
            out["specific_trap"] = integer(pdu[4])
            out["time_stamp"] = integer(pdu[1])
            enterprise = pdu[9]
            if isinstance(enterprise, list) and enterprise:
                out["enterprise"] = [integer(x) for x in enterprise]
        return {"snmpa": out}

    @staticmethod
    def varbind(term: Any) -> dict[str, Any]:
        var, value = term
        kind, vartype = integer(var[0]), integer(var[1])
        val = (
            {"$type": "Value", "confd_type": 5, "value": value.decode("utf-8", errors="replace")}
            if isinstance(value, bytes)
            else {"$type": "Value", "confd_type": 1}
        )
        out: dict[str, Any] = {"$type": "SnmpVarbind", "type": kind, "vartype": vartype, "val": val}
        if kind == 1:
            out["name"] = text(var[2], 256)
        elif kind == 2:
            out["oid"] = [integer(x) for x in var[2]]
        elif kind == 3:
            out["cr"] = [text(var[3]), [integer(x) for x in var[2]]]
        else:
            raise BadNotification("bad varbind kind")
        return out

    def forward(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.10 (the binding's `type` key bug)
        self.arity(t, 4)
        integer(t[1])
        return {"forward": {"type": text(t[2], 32), "uinfo": user_info(t[3])}}

    def confirmed_commit(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.12
        self.arity(t, 4)
        return {"confirm": {"type": integer(t[1]), "timeout": integer(t[2]), "uinfo": user_info(t[3])}}

    def upgrade(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.13
        self.arity(t, 2)
        return {"upgrade": {"event": integer(t[1])}}

    def progress(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.14
        self.arity(t, 2)
        event = t[1]
        if not isinstance(event, tuple):
            raise BadNotification("bad progress event")
        want = 19 if self.binding == "nso57" else 15
        if len(event) != want:
            # The C library asserts on the arity and aborts (NSO62.md §D); this client only reports it.
            raise BadNotification(f"progress event arity {len(event)} (expected {want})")
        return {"progress": self.progress19(event) if want == 19 else self.progress62(event)}

    @staticmethod
    def progress_common(event: tuple[Any, ...]) -> dict[str, Any]:
        kind = integer(event[0])
        out: dict[str, Any] = {"type": kind, "timestamp": integer(event[1])}
        if kind == 2:
            out["duration"] = 0 if is_undefined(event[2]) else integer(event[2])
        out.update({"usid": integer(event[3]), "tid": integer(event[4]), "datastore": integer(event[5])})
        return out

    def progress19(self, e: tuple[Any, ...]) -> dict[str, Any]:
        out = self.progress_common(e)
        keys = ["context", "trace_id", "subsystem", "phase", "msg", "annotation", "service",
                "service_phase", None, "node", "device", "device_phase", "package"]
        for index, key in enumerate(keys, start=6):
            value = e[index]
            if key is None:  # element 15: commit_queue_id, present when neither undefined nor 0
                if not is_undefined(value) and integer(value) != 0:
                    out["commit_queue_id"] = integer(value)
                continue
            if is_undefined(value):
                continue
            if key in ("trace_id", "msg"):  # fixed C buffers: present only when non-empty
                s = text(value, 65 if key == "trace_id" else 1024)
                if s:
                    out[key] = s
            else:
                out[key] = text(value)
        return out

    def progress62(self, e: tuple[Any, ...]) -> dict[str, Any]:
        """The NSO 6.2.5 15-tuple (NSO62.md §B/§C): {Type, Timestamp, Duration, TraceId, SpanId,
        ParentSpanId, Usid, Tid, Datastore, Context, Subsystem, Msg, Annotation, Attributes, Links}."""
        out: dict[str, Any] = {"type": integer(e[0]), "timestamp": integer(e[1])}
        if not is_undefined(e[2]):
            out["duration"] = integer(e[2])
        for index, key in ((3, "trace_id"), (4, "span_id"), (5, "parent_span_id")):
            s = optional_text(e[index])
            if s is not None:
                out[key] = s
        out.update({"usid": integer(e[6]), "tid": integer(e[7]), "datastore": integer(e[8])})
        for index, key in ((9, "context"), (10, "subsystem"), (11, "msg"), (12, "annotation")):
            s = optional_text(e[index])
            if s is not None:
                out[key] = s
        attributes, links = e[13], e[14]
        if not (isinstance(attributes, list) and isinstance(links, list)):
            raise BadNotification("Failed to allocate (20)")  # what 6.2.5 raises for undefined lists
        if attributes:
            out["attributes"] = {text(n): v if isinstance(v, int) else text(v) for n, v in attributes}
        if links:
            out["links"] = [{"$type": "ProgressLink", "span_id": text(b), "trace_id": text(a)} for a, b in links]
        return out

    def stream(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.15
        self.arity(t, 2)
        x = t[1]
        if isinstance(x, Atom):  # C checks for replay_complete exactly; any other atom = complete
            return {"stream": {"type": 3 if x == "replay_complete" else 2}}
        if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], Atom):
            return {"stream": {"type": 4, "error": text(x[1])}}
        if not (isinstance(x, tuple) and len(x) == 2 and isinstance(x[1], list)):
            raise BadNotification("bad stream event")
        return {"stream": {"type": 1, "event_time": date_time_fields(x[0]), "values": [tag_value(tv) for tv in x[1]]}}

    def cq_progress(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.16
        self.arity(t, 11)
        out: dict[str, Any] = {"type": integer(t[1]), "timestamp": date_time_fields(t[2]), "cq_id": integer(t[3])}
        tag = optional_text(t[4])
        if tag is not None:
            out["cq_tag"] = tag

        def items(value: Any) -> list[Any]:
            if is_undefined(value):
                return []
            if not isinstance(value, list):
                raise BadNotification("bad device list")
            return value

        def device_list_value(devices: Any) -> dict[str, Any]:
            return {"$type": "Value", "confd_type": 31,
                    "value": [{"$type": "Value", "confd_type": 5, "value": text(d)} for d in items(devices)]}

        completed, transient, failed = items(t[5]), items(t[6]), items(t[7])
        if completed:
            out["completed_devices"] = [text(d) for d in completed]
        if transient:
            out["transient_devices"] = [text(d) for d in transient]
        if failed:
            out["failed_devices"] = [text(d) for d, _ in failed]
            out["failed_reasons"] = [text(r) for _, r in failed]
        completed_services = items(t[8])
        if completed_services:
            out["completed_services"] = [text(s) for s, _ in completed_services]
            out["completed_services_completed_devices"] = [device_list_value(ds) for _, ds in completed_services]
        failed_services = items(t[9])
        if failed_services:
            out["failed_services"] = [text(s) for s, _, _ in failed_services]
            out["failed_services_completed_devices"] = [device_list_value(c) for _, c, _ in failed_services]
            out["failed_services_failed_devices"] = [device_list_value(f) for _, _, f in failed_services]
        trace = optional_text(t[10], 65)
        if trace is not None:
            out["trace_id"] = trace
        return {"cq_progress": out}

    def call_home(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.17
        self.arity(t, 6, 7)
        kind = integer(t[1])
        out: dict[str, Any] = {"type": kind}
        with_device = (1, 3) if self.binding == "nso66" else (1,)
        if len(t) == 7 and kind in with_device:
            out["device"] = text(t[6])
        out.update(ip_fields(t[2]))
        out.update({"port": integer(t[3]), "ssh_host_key": text(t[4]), "ssh_key_alg": text(t[5])})
        return {"call_home": out}

    def audit_network(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.18 (nested tuple)
        self.arity(t, 2)
        usid, tid, user, device, trace_id, config = t[1]
        out: dict[str, Any] = {"usid": integer(usid), "tid": integer(tid), "user": text(user), "device": text(device)}
        trace = optional_text(trace_id, 65)
        if trace is not None:
            out["trace_id"] = trace
        # 6.2.5 reads Config as text; the atom undefined comes out as "undefined" (NSO62.md §D)
        out["config"] = "undefined" if is_undefined(config) else text(config)
        return {"audit_network": out}

    def compaction(self, t: tuple[Any, ...]) -> dict[str, Any]:  # §11.19: flat or nested (unknown)
        fields = t[1] if len(t) == 2 and isinstance(t[1], tuple) else t[1:]
        if len(fields) != 8:
            raise BadNotification("bad compaction")
        keys = ("dbfile", "type", "fsize_start", "fsize_end", "fsize_last", "time_start", "duration", "ntrans")
        return {"compaction": {k: integer(v) for k, v in zip(keys, fields)}}


# ---------------------------------------------------------------------------------------------
# The connection (§2-§5, §8, §12, §13)
# ---------------------------------------------------------------------------------------------


def parse_mask(spec: str) -> int:
    """An integer (decimal or 0x hex), or names joined by `,` or `|`: Python constant names
    (NOTIF_AUDIT, NCS_NOTIF_CQ_PROGRESS), the same without prefix (COMMIT_DIFF) or nso-mock's
    kebab-case names (commit-diff, audit-sync)."""
    spec = spec.strip()
    try:
        return int(spec, 0)
    except ValueError:
        pass
    mask = 0
    for raw in spec.replace("|", ",").split(","):
        name = raw.strip()
        if not name:
            continue
        upper = name.upper().replace("-", "_")
        for candidate in (upper, "NOTIF_" + upper, "NCS_NOTIF_" + upper):
            if candidate in NOTIF_BITS:
                mask |= NOTIF_BITS[candidate]
                break
        else:
            if name.lower() in KEBAB_NAMES:
                mask |= KEBAB_NAMES[name.lower()]
            else:
                raise ValueError(f"unknown notification name {name!r}")
    return mask


def parse_time(spec: str | None) -> Any:
    """ISO 8601 text -> the §9.3 datetime term (or `undefined`)."""
    if not spec:
        return UNDEFINED
    when = _dt.datetime.fromisoformat(spec.replace("Z", "+00:00"))
    offset = when.utcoffset()
    if offset is None:
        tz: Any = []
        tz_min = 0
    else:
        minutes = int(offset.total_seconds() // 60)
        tz = int(minutes / 60)
        tz_min = abs(minutes) % 60
    return (19, (when.year, when.month, when.day, when.hour, when.minute, when.second, when.microsecond, tz, tz_min))


def read_secret(path: str) -> bytes:
    """§3.2 v1 rules of the C library: at most 1023 bytes read, up to the first NUL, 1007 used."""
    with open(path, "rb") as handle:
        raw = handle.read(1023)
    return raw.split(b"\x00", 1)[0][:1007]


class EventClient:
    """One subscription on one connection. Subclasses may override the `send_*_ack` hooks and
    `decoder` (the buggy example client does)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.mask: int = args.mask
        self.decoder = Decoder(args.binding)
        self.sock: socket.socket | None = None
        self.buffer = bytearray()
        self.count = 0
        self.last_heartbeat = time.monotonic()
        self.last_activity = time.monotonic()

    # -- output ---------------------------------------------------------------------------------

    @staticmethod
    def log(event: str, **fields: Any) -> None:
        print(json.dumps({"event": event, **fields}), file=sys.stderr, flush=True)

    @staticmethod
    def emit(view: dict[str, Any]) -> None:
        print(json.dumps(view), flush=True)

    # -- connection -----------------------------------------------------------------------------

    def connect(self) -> None:
        args = self.args
        try:
            if args.unix:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(args.unix)
            else:
                sock = socket.create_connection((args.host, args.port), timeout=10)
        except OSError as exc:
            raise ClientFailure(f"Failed to connect: {exc}") from exc
        sock.settimeout(None)
        self.sock = sock
        access_file = os.environ.get("CONFD_IPC_ACCESS_FILE") or os.environ.get("NCS_IPC_ACCESS_FILE")
        first = CLIENT_TYPE_EVENT_MANAGER | (WANT_CHALLENGE if access_file else 0)
        protocol, library = HEADER_VERSIONS.get(args.binding, (PROTOCOL_VERSION, LIBRARY_VERSION))
        header = struct.pack(">BHIBB", first, protocol, library, MAX_DEPTH, MAX_KEYLEN)
        sock.sendall(header)
        if access_file:
            self.access_check(read_secret(access_file))
        self.check_version_reply(self.read_exact(9))
        stream_info: Any = UNDEFINED
        if self.mask & STREAM_EVENT:
            if not args.stream:
                raise ClientFailure("Need notification stream info", 2)
            xpath = args.xpath.encode() if args.xpath else UNDEFINED
            stream_info = (Atom(args.stream), parse_time(args.start_time), parse_time(args.stop_time), xpath, args.usid, 0)
        verbosity = args.verbosity if self.mask & (65536 | 16777216) else 0
        subscription = (
            self.mask,
            args.heartbeat if self.mask & HEARTBEAT else 0,
            args.health_check if self.mask & HEALTH_CHECK else 0,
            stream_info,
            verbosity,
        )
        sock.sendall(frame(subscription))
        reply = decode_term(self.read_frame(eof_ok=False))
        # §8.4: the C library treats any term other than {error, Code, Reason} as success.
        if isinstance(reply, tuple) and len(reply) == 3 and reply[0] == "error":
            reason = reply[2].rstrip(b"\x00").decode("utf-8", errors="replace") if isinstance(reply[2], bytes) else str(reply[2])
            raise ClientFailure(f"Failed to subscribe: {reason} (confd_errno {reply[1]})")
        self.log("subscribed", mask=self.mask)

    def access_check(self, secret: bytes) -> None:
        """§3.1/§3.2 v1: challenge 11 + 16 bytes, response 12 + MD5(secret ‖ challenge), status byte."""
        challenge = self.read_exact(17)
        if challenge[0] != 11:
            raise ClientFailure("Access denied")
        digest = hashlib.md5(secret + challenge[1:]).digest()
        assert self.sock is not None
        self.sock.sendall(bytes([12]) + digest)
        if self.read_exact(1)[0] != 0:
            raise ClientFailure("Access denied")

    @staticmethod
    def check_version_reply(reply: bytes) -> None:
        """§4.1, C column."""
        status, proto, _vsn, depth, keylen = struct.unpack(">BHIBB", reply)
        if status == 1:
            raise ClientFailure(f"Library protocol version ({PROTOCOL_VERSION}) is not compatible with ConfD protocol version ({proto})")
        if status == 2:
            raise ClientFailure(f"Library MAXDEPTH/MAXKEYLEN {MAX_DEPTH}/{MAX_KEYLEN} for confd_hkeypath_t are too small, ConfD needs {depth}/{keylen}")
        if status != 0:
            raise ClientFailure("Failed to decode data")

    # -- reading --------------------------------------------------------------------------------

    def fill(self, eof_ok: bool) -> bool:
        """Reads more bytes into the buffer; False at a clean EOF (only allowed when eof_ok)."""
        assert self.sock is not None
        while True:
            self.sock.settimeout(self.wait_budget())
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                self.on_timer()
                continue
            except ConnectionError as exc:
                raise ClientFailure(f"Connection lost: {exc}") from exc
            if not chunk:
                if eof_ok and not self.buffer:
                    return False
                raise ClientFailure("Connection lost in the middle of a message")
            self.buffer += chunk
            self.last_activity = time.monotonic()
            return True

    def read_exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self.fill(eof_ok=False)
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def read_frame(self, eof_ok: bool) -> bytes:
        """§5: 4-byte big-endian length, then one term. Returns b"" at a clean EOF."""
        while len(self.buffer) < 4:
            if not self.fill(eof_ok and not self.buffer):
                return b""
        (length,) = struct.unpack_from(">I", self.buffer, 0)
        if length == 0:
            raise ClientFailure("Failed to decode data (zero-length frame)")
        while len(self.buffer) < 4 + length:
            self.fill(eof_ok=False)
        payload = bytes(self.buffer[4 : 4 + length])
        del self.buffer[: 4 + length]
        return payload

    # -- timers ---------------------------------------------------------------------------------

    def watchdog_seconds(self) -> float | None:
        if not (self.mask & HEARTBEAT) or self.args.heartbeat <= 0:
            return None
        # §13: the server raises intervals below 1000 ms to 1000 ms.
        return self.args.watchdog_factor * max(1000, self.args.heartbeat) / 1000.0

    def wait_budget(self) -> float | None:
        budgets = []
        watchdog = self.watchdog_seconds()
        now = time.monotonic()
        if watchdog is not None:
            budgets.append(max(0.01, self.last_heartbeat + watchdog - now))
        if self.args.idle_exit is not None:
            budgets.append(max(0.01, self.last_activity + self.args.idle_exit - now))
        return min(budgets) if budgets else None

    def on_timer(self) -> None:
        now = time.monotonic()
        watchdog = self.watchdog_seconds()
        if watchdog is not None and now - self.last_heartbeat >= watchdog:
            raise ClientFailure(f"No heartbeat for {watchdog:.1f} s; the server looks hung", 4)
        if self.args.idle_exit is not None and now - self.last_activity >= self.args.idle_exit:
            raise StopIteration

    # -- acks (§12) -----------------------------------------------------------------------------

    def send(self, term: Any) -> None:
        assert self.sock is not None
        self.sock.sendall(frame(term))

    def send_diff_ack(self, th: int) -> None:
        self.send((th, Atom("done")))

    def send_audit_ack(self, usid: int) -> None:
        self.send((usid, Atom("synced")))

    def send_audit_network_ack(self, usid: int) -> None:
        self.send((usid, Atom("audit_network_sync")))

    def send_ha_ack(self) -> None:
        self.send(Atom("ha_synced"))

    def ack(self, term: tuple[Any, ...]) -> None:
        bit = term[0]
        if bit == COMMIT_DIFF:
            self.send_diff_ack(integer(term[3]))
        elif bit == AUDIT and self.mask & AUDIT_SYNC:
            self.send_audit_ack(integer(term[3]))
        elif bit == AUDIT_NETWORK and self.mask & AUDIT_NETWORK_SYNC:
            self.send_audit_network_ack(integer(term[1][0]))
        elif bit == HA_INFO and self.mask & HA_INFO_SYNC:
            self.send_ha_ack()

    # -- main loop ------------------------------------------------------------------------------

    def handle(self, payload: bytes) -> None:
        try:
            term = decode_term(payload)
        except DecodeError as exc:
            self.log("error", message=f"Failed to decode data: {exc}")
            return
        try:
            view = self.decoder.decode(term)
        except BadNotification as exc:
            # read_notification raises here; a robust subscriber reports it and keeps reading,
            # since the frame was consumed whole and the stream is still in sync.
            self.log("error", message=str(exc), type=term[0] if isinstance(term, tuple) and term else None)
            return
        if term[0] == HEARTBEAT:
            self.last_heartbeat = time.monotonic()
        self.emit(view)
        self.ack(term)
        self.count += 1

    def run(self) -> int:
        self.connect()
        self.last_heartbeat = time.monotonic()
        try:
            while self.args.count is None or self.count < self.args.count:
                payload = self.read_frame(eof_ok=True)
                if not payload:
                    self.log("closed", reason="server closed the connection")
                    return 0
                self.handle(payload)
        except StopIteration:
            self.log("idle-exit", seconds=self.args.idle_exit)
        finally:
            if self.sock is not None:
                self.sock.close()
        return 0


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    env = os.environ
    parser = argparse.ArgumentParser(description="NSO event-notification client (standard library only).")
    parser.add_argument("--host", default=env.get("NCS_IPC_ADDR", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("NCS_IPC_PORT", "4569")))
    parser.add_argument("--unix", default=env.get("NCS_IPC_PATH") or None, help="Unix socket path (wins over --port, like NCS_IPC_PATH)")
    parser.add_argument("--mask", default="NOTIF_AUDIT", help="names (comma or | separated) or an integer")
    parser.add_argument("--heartbeat", type=int, default=0, help="heartbeat interval in ms (adds NOTIF_HEARTBEAT)")
    parser.add_argument("--health-check", type=int, default=0, help="health check interval in ms (adds NOTIF_HEALTH_CHECK)")
    parser.add_argument("--watchdog-factor", type=float, default=3.0, help="heartbeat intervals without one before giving up")
    parser.add_argument("--stream", default=None, help="stream name (adds NOTIF_STREAM_EVENT)")
    parser.add_argument("--start-time", default=None, help="replay start, ISO 8601")
    parser.add_argument("--stop-time", default=None, help="replay/live stop, ISO 8601")
    parser.add_argument("--xpath", default=None, help="XPath filter for the stream")
    parser.add_argument("--usid", type=int, default=0, help="user session for stream AAA filtering")
    parser.add_argument("--verbosity", type=int, default=0, choices=[0, 1, 2, 3])
    parser.add_argument("--binding", default="nso57", type=binding_name,
                        help="which NSO release's library to act as: nso57 (default, protocol 77), nso62 (protocol 82, "
                             "the 6.2.5 layouts and dict), nso66 (inferred); nso6x is a deprecated alias of nso66")
    parser.add_argument("--count", type=int, default=None, help="exit after N notifications")
    parser.add_argument("--idle-exit", type=float, default=None, help="exit after SECONDS without traffic")
    parser.add_argument("--decode-frames", action="store_true", help="decode hex frames from stdin and exit")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    try:
        args.mask = parse_mask(args.mask)
    except ValueError as exc:
        parser.error(str(exc))
    if args.heartbeat:
        args.mask |= HEARTBEAT
    if args.health_check:
        args.mask |= HEALTH_CHECK
    if args.stream:
        args.mask |= STREAM_EVENT
    return args


def decode_frames(decoder: Decoder) -> int:
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        data = bytes.fromhex(line)
        if data[:1] != b"\x83":
            data = data[4:]
        try:
            print(json.dumps(decoder.decode(decode_term(data))), flush=True)
        except (DecodeError, BadNotification) as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
    return 0


def main(argv: list[str] | None = None, client_class: type[EventClient] = EventClient,
         parser: argparse.ArgumentParser | None = None) -> int:
    parser = parser or build_parser()
    args = parse_args(parser, argv)
    client = client_class(args)
    if args.decode_frames:
        return decode_frames(client.decoder)
    try:
        return client.run()
    except ClientFailure as exc:
        client.log("failed", message=str(exc), exit_code=exc.exit_code)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
