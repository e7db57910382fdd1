"""A local HTTP server on 127.0.0.1 standing in for the SMS gateway in tests.

It accepts what pastid.notifications.sms.HTTPSMSGateway sends: a JSON POST with a
bearer token. Usage:

    gateway = SMSGatewayServer(token="secret")
    gateway.start()
    try:
        ...  # send to gateway.url
        gateway.wait_for(1)
        request = gateway.requests[0]
    finally:
        gateway.stop()
"""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
PATH = "/api/sms"


@dataclass(frozen=True)
class ReceivedSMS:
    """One accepted request: the parsed JSON body and the headers that matter."""

    body: dict
    authorization: str | None
    content_type: str | None


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        gateway = self.server.gateway
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path != PATH:
            self._reply(404, {"error": "not found"})
        elif self.headers.get("Authorization") != f"Bearer {gateway.token}":
            self._reply(401, {"error": "invalid token"})
        elif gateway.take_failure():
            self._reply(503, {"error": "gateway unavailable"})
        else:
            gateway.record(ReceivedSMS(json.loads(raw), self.headers.get("Authorization"),
                                       self.headers.get("Content-Type")))
            self._reply(202, {"status": "queued"})

    def _reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Keep the test output quiet; the server keeps every request it accepts."""


class SMSGatewayServer:
    """An SMS gateway that keeps every accepted message in memory.

    It replies 202 to a POST on /api/sms with the right bearer token, 401 to a wrong
    token, and 503 to the next `failures` requests that would otherwise be accepted.
    """

    def __init__(self, token="test-sms-token", failures=0):
        self.token = token
        self.requests = []
        self._failures = failures
        self._condition = threading.Condition()
        self._server = ThreadingHTTPServer((HOST, 0), _Handler)
        self._server.gateway = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://{HOST}:{self._server.server_address[1]}{PATH}"

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail_next(self, count):
        with self._condition:
            self._failures = count

    def take_failure(self):
        with self._condition:
            if self._failures <= 0:
                return False
            self._failures -= 1
            return True

    def record(self, received):
        with self._condition:
            self.requests.append(received)
            self._condition.notify_all()

    def wait_for(self, count, timeout=5):
        """Wait until count messages have arrived, or raise TimeoutError after timeout seconds."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self.requests) >= count, timeout):
                raise TimeoutError(
                    f"SMS gateway received {len(self.requests)} of {count} messages "
                    f"within {timeout} s")
