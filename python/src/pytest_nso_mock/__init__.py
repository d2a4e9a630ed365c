"""pytest-nso-mock: run nso-mock (a fake of Cisco NSO's event-notification server) from pytest.

The ``nso_mock`` fixture (registered by the ``pytest11`` entry point) starts ``nso-mock serve`` for a
test and drives it through the HTTP control API; a test that ends with a protocol violation or an
ack still pending fails with the mock's table. See README.md.
"""

from .control import ControlClient, ControlError, Delivery, PendingAck, Violation
from .mock import CLI_ENV, Consumer, NsoMock, NsoMockError, find_cli

__all__ = ["CLI_ENV", "Consumer", "ControlClient", "ControlError", "Delivery", "NsoMock", "NsoMockError", "PendingAck", "Violation", "find_cli"]
__version__ = "0.1.0"
