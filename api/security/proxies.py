"""Which reverse proxies the API believes about the client's address.

uvicorn's default believes ``X-Forwarded-For`` from 127.0.0.1: any local process (a
forwarding proxy anyone can start on the box) could then pick the address the login rate
limit counts. Spotter believes no one unless SPOTTER_TRUSTED_PROXIES names the proxies.
"""

from __future__ import annotations

import ipaddress


class ProxySettingError(ValueError):
    """SPOTTER_TRUSTED_PROXIES holds something that is not an address or network."""


def trusted_proxies(value: str) -> list[str]:
    """The addresses and networks of a comma-separated setting, checked; ``*`` trusts every
    peer (only behind a load balancer that alone can reach the API)."""
    entries = [item.strip() for item in value.split(",") if item.strip()]
    for entry in entries:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ProxySettingError(
                f"SPOTTER_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                "(e.g. 10.0.0.5,10.1.0.0/16)") from exc
    return entries


def uvicorn_proxy_options(value: str) -> dict[str, object]:
    """uvicorn.run/Config options: forwarded headers honoured only from these proxies."""
    proxies = trusted_proxies(value)
    if not proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": proxies}
