"""Elyzor's Python client: verification, keys, services, projects, and webhook signatures.

    import elyzor
    client = elyzor.Client("http://localhost:3000", root_key=os.environ["ELYZOR_ROOT_KEY"])
    result = client.verify(key, scopes=["read:invoices"])
"""

from ._retry import RetryOptions
from .client import Client
from .errors import ElyzorError, WebhookVerificationError
from .types import Credential, Credits, Key, Page, Project, Quota, RateLimit, Refill, Service, ServiceRef, Usage, VerifyResult
from .webhook import verify_webhook

__all__ = [
    "Client",
    "Credential",
    "Credits",
    "ElyzorError",
    "Key",
    "Page",
    "Project",
    "Quota",
    "RateLimit",
    "Refill",
    "RetryOptions",
    "Service",
    "ServiceRef",
    "Usage",
    "VerifyResult",
    "WebhookVerificationError",
    "verify_webhook",
]
