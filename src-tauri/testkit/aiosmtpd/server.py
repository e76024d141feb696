#!/usr/bin/python3
"""A real aiosmtpd SMTP server on 127.0.0.1 for EHLO Watch's tests.

Debian's python3-aiosmtpd serves the session; a mode chosen on the command line shapes only
its reply to EHLO, through aiosmtpd's handle_EHLO hook:

    server.py healthy            aiosmtpd's own EHLO reply
    server.py late MS            the same reply, MS milliseconds late
    server.py partial MS         the reply's first line at once, the rest MS milliseconds later
    server.py reject             550, naming a DNS blocklist

It listens on a free port of 127.0.0.1, prints "listening on 127.0.0.1:PORT" (flushed) once it
accepts connections, and serves until killed. Bad arguments: a message on stderr, exit 2.
"""

import asyncio
import sys

from aiosmtpd.smtp import SMTP

HOSTNAME = "aiosmtpd.test"
REJECTION = "550 5.7.1 Client host rejected: blocked using zen.spamhaus.example"
USAGE = "usage: server.py healthy | late MS | partial MS | reject"


class Healthy:
    """No hooks: aiosmtpd answers EHLO itself."""


class Late:
    """Answers EHLO with aiosmtpd's reply after a pause."""

    def __init__(self, seconds):
        self.seconds = seconds

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        await asyncio.sleep(self.seconds)
        return responses


class Partial:
    """Sends the first line of the EHLO reply (250-…) at once and the rest after a pause."""

    def __init__(self, seconds):
        self.seconds = seconds

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        await server.push(responses[0])
        await asyncio.sleep(self.seconds)
        return responses[1:]


class Reject:
    """Refuses EHLO as a server that found the client on a blocklist."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        return [REJECTION]


def milliseconds(args):
    if len(args) != 1 or not args[0].isdigit():
        raise ValueError(f"expected one whole number of milliseconds, got {args!r}")
    return int(args[0]) / 1000


def handler_for(argv):
    mode, args = (argv[0], argv[1:]) if argv else ("", [])
    if mode == "healthy" and not args:
        return Healthy()
    if mode == "late":
        return Late(milliseconds(args))
    if mode == "partial":
        return Partial(milliseconds(args))
    if mode == "reject" and not args:
        return Reject()
    raise ValueError(f"unknown mode or arguments: {argv!r}")


async def serve(handler):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname=HOSTNAME, loop=loop), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{port}", flush=True)
    await server.serve_forever()


def main():
    try:
        handler = handler_for(sys.argv[1:])
    except ValueError as e:
        print(f"server.py: {e}\n{USAGE}", file=sys.stderr)
        return 2
    asyncio.run(serve(handler))
    return 0


if __name__ == "__main__":
    sys.exit(main())
