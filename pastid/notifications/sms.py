"""Sending SMS through a gateway: the interface, and one implementation over HTTP."""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import phonenumbers

logger = logging.getLogger(__name__)

# Numbers written without a country code are Danish, as on the booking form.
DEFAULT_REGION = "DK"


class SMSError(Exception):
    """Delivery of an SMS failed. The text gives the reason but never the phone number."""


@dataclass(frozen=True)
class SMS:
    to: str  # E.164, e.g. "+4520123456"
    text: str


class SMSGateway(Protocol):
    def send(self, message: SMS) -> None:
        """Deliver message to the gateway; raise SMSError when that fails."""


def to_e164(phone):
    """Return phone in E.164 form; raise ValueError when it is not a valid number."""
    try:
        number = phonenumbers.parse(phone, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError("phone number cannot be parsed") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("phone number is not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class HTTPSMSGateway:
    """A gateway that takes each SMS as an HTTP POST with a JSON body and a bearer token.

    The body is {"to": "+4520123456", "text": "..."}, and any 2xx reply means the
    gateway accepted the message.
    """

    def __init__(self, url, token, timeout=10):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"SMS gateway URL must be an http or https URL, not {url!r}")
        self.url = url
        self.host = parts.netloc
        self._token = token
        self.timeout = timeout

    def send(self, message):
        body = json.dumps({"to": message.to, "text": message.text}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {self._token}",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            error.close()  # The error holds the reply and its open connection.
            # "from None": the gateway's reply body may repeat the phone number.
            raise SMSError(f"SMS gateway {self.host} replied HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SMSError(f"request to SMS gateway {self.host} failed: {reason}") from None
        if not 200 <= status < 300:
            raise SMSError(f"SMS gateway {self.host} replied HTTP {status}")
        logger.info("SMS accepted by gateway %s", self.host)


def gateway_from_config(config):
    """Return the configured SMS gateway, or None when SMS_GATEWAY_URL is empty."""
    if not config["SMS_GATEWAY_URL"]:
        return None
    return HTTPSMSGateway(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_TOKEN"],
                          timeout=config["SMS_TIMEOUT"])
