"""The development mailbox: a local SMTP server (aiosmtpd) that keeps every mail as a file.

`trajectories mailbox` runs it on 127.0.0.1:8025, where the default SMTP settings point, and
writes each mail to `var/mailbox/<time>-<n>.eml` (one file per recipient).
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from pathlib import Path


class MailboxHandler:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._n = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        for _recipient in envelope.rcpt_tos or ["-"]:
            path = self.directory / f"{stamp}-{next(self._n):06d}.eml"
            path.write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def run_mailbox(directory: Path, host: str = "127.0.0.1", port: int = 8025,
                stop=lambda: False) -> None:
    """Serve until `stop()` is true or the process is interrupted."""
    from aiosmtpd.controller import Controller

    controller = Controller(MailboxHandler(directory), hostname=host, port=port)
    controller.start()
    try:
        while not stop():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
