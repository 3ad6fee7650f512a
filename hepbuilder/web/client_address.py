"""The client's address: the socket's peer, or, when that peer is a trusted proxy
(HEPBUILDER_TRUSTED_PROXIES), the last address in X-Forwarded-For that is not one of them.

Applied as WSGI middleware, so `request.remote_addr`, the throttle, the audit trail and the logs
all see the same address. Without the setting, X-Forwarded-For is ignored (anyone can send it).
"""

import ipaddress
import os

from flask import Flask

ENV_NAME = "HEPBUILDER_TRUSTED_PROXIES"


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """ "10.0.0.5, 10.1.0.0/16" -> networks; a malformed entry stops the app from starting."""
    networks = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"{ENV_NAME}: {part!r} is not an IP address or network") from None
    return networks


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, networks) -> str:
    """The client's address seen through any chain of trusted proxies."""
    if not networks or not _is_trusted(peer, networks) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a forged or garbled entry: fall back to what we know
    return hops[0] if hops else peer


class TrustedProxyMiddleware:
    def __init__(self, wsgi_app, networks):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        environ["REMOTE_ADDR"] = client_address(
            peer, environ.get("HTTP_X_FORWARDED_FOR"), self.networks
        )
        return self.wsgi_app(environ, start_response)


def register_client_address(app: Flask) -> None:
    text = app.config.get("TRUSTED_PROXIES", os.environ.get(ENV_NAME, ""))
    networks = parse_networks(text)
    if networks:
        app.wsgi_app = TrustedProxyMiddleware(app.wsgi_app, networks)
