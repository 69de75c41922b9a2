"""Rasa's HTTP calls to its endpoints (the action server above all) over kept-alive connections.

Rasa 3.6's `EndpointConfig.request` opens a new `aiohttp.ClientSession`, and so a new TCP
connection, for every call and closes it afterwards; a billing turn calls the action server two
to four times. Profiled with py-spy under 16 conversations at once, opening those connections
was about 9 % of the Rasa process's CPU. `install()` replaces the method with one that sends the
same request (same URL, headers, query parameters, token, compression, TLS context, timeout,
the same errors and the same JSON or None back) through one session per endpoint and event loop.

What the pooled session shares between conversations is the TCP connection only: it keeps no
cookies (`DummyCookieJar`), and every header and parameter is set per request as before. Idle
connections are closed after `KEEPALIVE_S`, well before the action server's (Sanic: 5 s), so a
request is never sent on a connection the server is closing at that moment.

Installed by `addons/rasa_server.py` for `rasa run` only.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from typing import Any

import aiohttp
from aiohttp.client_exceptions import ContentTypeError
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

KEEPALIVE_S = 2.0  # below Sanic's KEEP_ALIVE_TIMEOUT (5 s), which the action server runs with

_SESSION = "_pooled_session"  # the endpoint's attribute: (event loop, session)
_ORIGINAL_REQUEST = EndpointConfig.request


def pooled_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The endpoint's session on the running event loop, created on first use (a Rasa process
    has one loop; a session belongs to the loop it was made on)."""
    loop = asyncio.get_running_loop()
    owner, session = getattr(endpoint, _SESSION, (None, None))
    if owner is not loop or session is None or session.closed:
        auth = (
            aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        setattr(endpoint, _SESSION, (loop, session))
    return session


async def pooled_request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any | None:
    """Rasa's `EndpointConfig.request`, on the endpoint's pooled session."""
    headers: dict[str, Any] = {}
    if content_type:
        headers["Content-Type"] = content_type
    headers.update(kwargs.pop("headers", None) or {})
    # Rasa sets the endpoint's own headers on its session (they win over per-call ones).
    headers.update(self.headers or {})
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as error:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from error
    async with pooled_session(self).request(
        method,
        concat_url(self.url, subpath),
        headers=headers,
        params=self.combine_parameters(kwargs),
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


def install() -> None:
    """Every `EndpointConfig.request` in this process goes through the pooled sessions."""
    EndpointConfig.request = pooled_request  # type: ignore[method-assign]


def uninstall() -> None:
    """Rasa's own method again (tests)."""
    EndpointConfig.request = _ORIGINAL_REQUEST  # type: ignore[method-assign]
