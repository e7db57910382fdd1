"""A real SMTP server on 127.0.0.1 for tests, built on aiosmtpd's threaded Controller.

Usage:

    server = SMTPTestServer()
    server.start()
    try:
        ...  # send to 127.0.0.1:server.port
        server.wait_for(1)
        message = server.messages[0]
    finally:
        server.stop()
"""

import asyncio
import email
import email.policy
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedEnvelope:
    """The SMTP envelope of one received message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    login: str | None  # user name the client authenticated as; None without AUTH


class _EphemeralPortController(Controller):
    """A Controller that listens on a port the operating system picks.

    Controller connects to self.port once after binding, to make aiosmtpd create its
    SMTP instance. Reading the bound port first lets the server listen on port 0 with
    no race against other processes that look for a free port at the same time.
    """

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _CollectingHandler:
    def __init__(self, server, refused_recipients, delay):
        self._server = server
        self._refused_recipients = refused_recipients
        self._delay = delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self._refused_recipients:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self._delay:
            await asyncio.sleep(self._delay)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        received = ReceivedEnvelope(envelope.mail_from, tuple(envelope.rcpt_tos), login)
        self._server._record(received, message)
        return "250 Message accepted for delivery"


class SMTPTestServer:
    """An SMTP server that keeps every message it receives, parsed, in memory.

    With credentials=(user, password) the server offers AUTH LOGIN and PLAIN on the
    plain connection and accepts only that pair. A client may still send without
    logging in, so one server covers both paths. RCPT TO for an address in
    refused_recipients gets a 550 reply. STARTTLS is not offered. With delay, the server
    waits that many seconds before it answers each message's data, as a slow relay does.
    """

    def __init__(self, credentials=None, refused_recipients=(), delay=0):
        self.messages = []
        self.envelopes = []
        self._condition = threading.Condition()
        options = {}
        if credentials is not None:
            # auth_require_tls=False lets smtplib log in over the plain test connection.
            # auth_required stays False: aiosmtpd warns (UserWarning) when AUTH is
            # required without TLS, and pytest turns that warning into an error.
            options = {"auth_require_tls": False, "authenticator": self._authenticator}
        self._credentials = credentials
        handler = _CollectingHandler(self, frozenset(refused_recipients), delay)
        # server_hostname spares aiosmtpd a socket.getfqdn() lookup for its greeting.
        self._controller = _EphemeralPortController(
            handler, hostname=HOST, port=0, server_hostname="localhost", **options
        )

    @property
    def port(self):
        """The port the server listens on, known once start() has returned."""
        return self._controller.port

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def wait_for(self, count, timeout=5):
        """Wait until count messages have arrived, or raise TimeoutError after timeout seconds."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(
                    f"SMTP test server received {len(self.messages)} of {count} messages "
                    f"within {timeout} s"
                )

    def _record(self, envelope, message):
        with self._condition:
            self.envelopes.append(envelope)
            self.messages.append(message)
            self._condition.notify_all()

    def _authenticator(self, server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        # handled=False makes aiosmtpd send its own 535 reply when the login fails.
        return AuthResult(success=login == self._credentials, handled=False, auth_data=auth_data)
