"""``Client``: verification and the projects, keys and services groups of the API."""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from typing import Any, Callable, Generic, Iterator, Literal, TypeVar

from ._retry import RetryOptions
from ._transport import Call, Transport, error_of
from .types import Credits, Key, Page, Project, Quota, RateLimit, Service, VerifyResult, camel as _camel, from_wire, to_wire

C = TypeVar("C", Key, Service)
T = TypeVar("T")

_REFUSED = (401, 403, 429)


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _body(arguments: dict[str, Any], *positional: str) -> dict[str, Any]:
    """A create/update body from a method's keyword arguments: those given, in the API's names
    (dataclasses converted, dicts as given); the names in ``clear`` are sent as null."""
    body = {_camel(name): to_wire(value) for name, value in arguments.items() if value is not None and name not in ("self", "clear", *positional)}
    for name in arguments.get("clear", ()):
        body[_camel(name)] = None
    return body


def _every(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of every page, each page fetched with the previous page's cursor."""
    cursor = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


class ProjectsApi:
    """``/v1/projects``"""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Page[Project]:
        """GET /v1/projects: one page, newest first."""
        items, next_cursor = self._transport.page(Call("GET", "/v1/projects", {"limit": limit, "cursor": cursor}))
        return Page([from_wire(Project, item) for item in items], next_cursor)

    def iterate(self, *, limit: int | None = None) -> Iterator[Project]:
        """Every project, across pages."""
        return _every(lambda cursor: self.list(limit=limit, cursor=cursor))

    def create(self, name: str, *, workspace_id: str | None = None) -> Project:
        """POST /v1/projects (default workspace: the caller's personal one, a root key's own)."""
        body: dict[str, Any] = {"name": name}
        if workspace_id is not None:
            body["workspaceId"] = workspace_id
        return from_wire(Project, self._transport.request(Call("POST", "/v1/projects", body=body)))

    def delete(self, project_id: str) -> None:
        """DELETE /v1/projects/{project_id}: with its keys, services and usage."""
        self._transport.request(Call("DELETE", f"/v1/projects/{_segment(project_id)}"))


class CredentialsApi(Generic[C]):
    """``/v1/projects/{project_id}/keys`` and ``.../services``: the same operations on either kind."""

    def __init__(self, transport: Transport, collection: Literal["keys", "services"], cls: type[C]) -> None:
        self._transport = transport
        self._collection = collection
        self._cls = cls

    def _path(self, project_id: str, credential_id: str | None = None, tail: str = "") -> str:
        own = "" if credential_id is None else f"/{_segment(credential_id)}"
        return f"/v1/projects/{_segment(project_id)}/{self._collection}{own}{tail}"

    def _one(self, data: dict[str, Any]) -> C:
        return from_wire(self._cls, data)

    def _create(self, project_id: str, body: dict[str, Any]) -> C:
        return self._one(self._transport.request(Call("POST", self._path(project_id), body=body)))

    def _update(self, project_id: str, credential_id: str, body: dict[str, Any]) -> C:
        return self._one(self._transport.request(Call("PATCH", self._path(project_id, credential_id), body=body)))

    def list(
        self,
        project_id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        tag: str | None = None,
        owner_id: str | None = None,
        environment: Literal["live", "test"] | None = None,
        status: Literal["active", "disabled", "expired", "revoked"] | None = None,
    ) -> Page[C]:
        """GET: one page, newest first, with the filters."""
        query = {"limit": limit, "cursor": cursor, "tag": tag, "ownerId": owner_id, "environment": environment, "status": status}
        items, next_cursor = self._transport.page(Call("GET", self._path(project_id), query))
        return Page([self._one(item) for item in items], next_cursor)

    def iterate(self, project_id: str, **filters: Any) -> Iterator[C]:
        """Every credential of the list (same filters as ``list``), across pages."""
        return _every(lambda cursor: self.list(project_id, cursor=cursor, **filters))

    def get(self, project_id: str, credential_id: str) -> C:
        """GET one, with its ``usage``."""
        return self._one(self._transport.request(Call("GET", self._path(project_id, credential_id))))

    def revoke(self, project_id: str, credential_id: str, *, reason: str | None = None) -> None:
        """DELETE: soft revocation, with an optional reason kept with the record."""
        self._transport.request(Call("DELETE", self._path(project_id, credential_id), body={} if reason is None else {"reason": reason}))

    def rotate(self, project_id: str, credential_id: str, *, grace_period_seconds: int | None = None) -> C:
        """POST .../rotate: the replacement, its plaintext ``key`` in this answer only. A grace period keeps the old one working that long."""
        body = {} if grace_period_seconds is None else {"gracePeriodSeconds": grace_period_seconds}
        return self._one(self._transport.request(Call("POST", self._path(project_id, credential_id, "/rotate"), body=body)))

    def usage(self, project_id: str, credential_id: str, *, range: Literal["1d", "7d", "30d", "90d"] | None = None) -> dict[str, Any]:
        """GET .../usage: verifications per UTC day, ``{"id", "range", "days": [{"date", "count", "errors"}]}``."""
        return self._transport.request(Call("GET", self._path(project_id, credential_id, "/usage"), {"range": range}))


class KeysApi(CredentialsApi[Key]):
    def create(
        self,
        project_id: str,
        *,
        label: str | None = None,
        environment: Literal["live", "test"] | None = None,
        scopes: list[str] | None = None,
        resources: dict[str, list[str]] | None = None,
        expires_at: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        owner_id: str | None = None,
        ip_allowlist: list[str] | None = None,
        ip_denylist: list[str] | None = None,
        rate_limit: RateLimit | dict[str, Any] | None = None,
        quota: Quota | dict[str, Any] | None = None,
        credits: Credits | dict[str, Any] | None = None,
    ) -> Key:
        """POST .../keys: the plaintext ``key`` is in this answer only."""
        return self._create(project_id, _body(locals(), "project_id"))

    def update(
        self,
        project_id: str,
        key_id: str,
        *,
        label: str | None = None,
        scopes: list[str] | None = None,
        resources: dict[str, list[str]] | None = None,
        expires_at: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        owner_id: str | None = None,
        ip_allowlist: list[str] | None = None,
        ip_denylist: list[str] | None = None,
        rate_limit: RateLimit | dict[str, Any] | None = None,
        quota: Quota | dict[str, Any] | None = None,
        credits: Credits | dict[str, Any] | None = None,
        clear: tuple[str, ...] = (),
    ) -> Key:
        """PATCH: only the fields given change; ``clear`` names fields to reset (sent as null), e.g. ``clear=("expires_at",)``."""
        return self._update(project_id, key_id, _body(locals(), "project_id", "key_id"))


class ServicesApi(CredentialsApi[Service]):
    def create(
        self,
        project_id: str,
        *,
        name: str,
        environment: Literal["live", "test"] | None = None,
        scopes: list[str] | None = None,
        resources: dict[str, list[str]] | None = None,
        expires_at: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        owner_id: str | None = None,
        ip_allowlist: list[str] | None = None,
        ip_denylist: list[str] | None = None,
        rate_limit: RateLimit | dict[str, Any] | None = None,
        quota: Quota | dict[str, Any] | None = None,
        credits: Credits | dict[str, Any] | None = None,
    ) -> Service:
        """POST .../services (``name``: lowercase letters, digits and dashes): the plaintext ``key`` is in this answer only."""
        return self._create(project_id, _body(locals(), "project_id"))

    def update(
        self,
        project_id: str,
        service_id: str,
        *,
        name: str | None = None,
        scopes: list[str] | None = None,
        resources: dict[str, list[str]] | None = None,
        expires_at: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        owner_id: str | None = None,
        ip_allowlist: list[str] | None = None,
        ip_denylist: list[str] | None = None,
        rate_limit: RateLimit | dict[str, Any] | None = None,
        quota: Quota | dict[str, Any] | None = None,
        credits: Credits | dict[str, Any] | None = None,
        clear: tuple[str, ...] = (),
    ) -> Service:
        """PATCH: only the fields given change; ``clear`` names fields to reset (sent as null)."""
        return self._update(project_id, service_id, _body(locals(), "project_id", "service_id"))


class Client:
    """Elyzor's API for verification, projects, keys and services.

    >>> client = Client("http://localhost:3000", root_key=os.environ["ELYZOR_ROOT_KEY"])
    >>> result = client.verify(key, scopes=["read:invoices"])
    >>> result.valid, result.error
    """

    def __init__(
        self,
        base_url: str,
        *,
        root_key: str | None = None,
        access_token: str | None = None,
        timeout: float = 10.0,
        retries: int | RetryOptions = 2,
    ) -> None:
        """``root_key`` (``rk_live_…``) or a user's ``access_token`` authenticates the management calls
        (the root key wins); ``timeout`` is per attempt, in seconds; ``retries`` the attempts after the
        first, or the whole policy."""
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError("Elyzor: base_url must be an http(s) URL")
        if timeout <= 0:
            raise ValueError("Elyzor: timeout must be a positive number of seconds")
        policy = RetryOptions(max=retries) if isinstance(retries, int) else retries
        if policy.max < 0:
            raise ValueError("Elyzor: retries must not be negative")
        self._transport = Transport(base_url, root_key if root_key is not None else access_token, timeout, policy)
        self.projects = ProjectsApi(self._transport)
        self.keys = KeysApi(self._transport, "keys", Key)
        self.services = ServicesApi(self._transport, "services", Service)

    def verify(self, key: str, *, scopes: list[str] | None = None, resource: str | None = None, cost: int | None = None, ip: str | None = None) -> VerifyResult:
        """POST /v1/verify: is this API key (``sk_…``) valid, and may it do this now?

        A refusal is returned (``valid=False``, ``error``, ``retry_after``), not raised; a malformed
        request (400) and an Elyzor that does not answer raise ElyzorError.
        """
        return self._verify("/v1/verify", key, scopes, resource, cost, ip)

    def verify_service(self, credential: str, *, scopes: list[str] | None = None, resource: str | None = None, cost: int | None = None, ip: str | None = None) -> VerifyResult:
        """POST /v1/verify/service, for a service identity (``svc_…``); ``result.service`` names it."""
        return self._verify("/v1/verify/service", credential, scopes, resource, cost, ip)

    def _verify(self, path: str, credential: str, scopes: list[str] | None, resource: str | None, cost: int | None, ip: str | None) -> VerifyResult:
        body = {name: value for name, value in (("scopes", scopes), ("resource", resource), ("cost", cost), ("ip", ip)) if value is not None}
        # Retried only when the connection was never made: a verification that may have reached the
        # server has spent limits and is not sent twice.
        answer = self._transport.send(Call("POST", path, body=body, bearer=credential, retry="before_connection"))
        data = answer.body
        is_verify = isinstance(data, dict) and isinstance(data.get("valid"), bool)
        if not is_verify or answer.status not in (200, *_REFUSED) or (answer.status != 200) == data["valid"]:
            raise error_of(answer)
        result = from_wire(VerifyResult, data)
        result.status = answer.status
        return result
