"""HTTPS for ``spotter up --https``: the trainer tablet's Screen Wake Lock needs a secure
context, and on a studio LAN that means TLS. Either the studio's own certificate and key,
or a self-signed pair generated once into ``<data_dir>/tls`` with the ``openssl`` CLI
(the ``cryptography`` package is not a dependency) and reused while it stays valid.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Browsers refuse server certificates valid for longer than 398 days (Apple's 2020 rule,
# adopted by the CA/Browser Forum baseline requirements); 397 stays clear of the edge.
VALIDITY_DAYS = 397
# Regenerate a month before expiry so a studio never meets an expired certificate mid-class.
RENEW_BEFORE_S = 30 * 24 * 3600


class TlsError(RuntimeError):
    """Certificate or key unusable; the message says what to fix."""


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path
    self_signed: bool  # True: clients must trust ``cert`` itself (it is its own issuer)

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this server (liveness checks, tests)."""
        if self.self_signed:
            return ssl.create_default_context(cafile=str(self.cert))
        return ssl.create_default_context()


def check_pair(cert: Path, key: Path) -> None:
    """The files exist and the key belongs to the certificate."""
    for what, path in (("certificate", cert), ("key", key)):
        if not path.is_file():
            raise TlsError(f"TLS {what} {path} not found; pass an existing PEM file")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(cert), str(key))
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(f"cannot use {cert} with {key}: {exc}. Both must be PEM and the key "
                       "must belong to the certificate (an encrypted key is not supported)"
                       ) from exc


def local_names(bind_host: str) -> list[str]:
    """Names a tablet may use to reach this box: loopback, the host name, the LAN address."""
    names = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
    if bind_host not in ("0.0.0.0", "::", ""):
        names.append(bind_host)
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): picks the LAN route, sends nothing
        names.append(s.getsockname()[0])
    return sorted(set(names))


def _is_ip(name: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, name)
            return True
        except OSError:
            continue
    return False


def _openssl() -> str:
    path = shutil.which("openssl")
    if path is None:
        raise TlsError("the openssl command is needed to generate a certificate; install "
                       "it (apt-get install openssl) or pass --cert and --key")
    return path


def _still_valid(cert: Path) -> bool:
    done = subprocess.run([_openssl(), "x509", "-checkend", str(RENEW_BEFORE_S), "-noout",
                           "-in", str(cert)], capture_output=True, check=False)
    return done.returncode == 0


def self_signed(directory: Path, names: list[str]) -> TlsFiles:
    """A self-signed certificate for ``names`` (reused while valid and for the same names)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key, recorded = directory / "cert.pem", directory / "key.pem", directory / "names.txt"
    wanted = "\n".join(sorted(set(names)))
    if (cert.is_file() and key.is_file() and recorded.is_file()
            and recorded.read_text() == wanted and _still_valid(cert)):
        return TlsFiles(cert, key, self_signed=True)
    san = ",".join(f"IP:{n}" if _is_ip(n) else f"DNS:{n}" for n in sorted(set(names)))
    done = subprocess.run([
        _openssl(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-days", str(VALIDITY_DAYS), "-subj", "/CN=Spotter studio box",
        "-addext", f"subjectAltName={san}", "-addext", "extendedKeyUsage=serverAuth",
        "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise TlsError(f"openssl could not generate a certificate: {done.stderr.strip()}")
    key.chmod(0o600)
    recorded.write_text(wanted)
    return TlsFiles(cert, key, self_signed=True)


def resolve(data_dir: Path, bind_host: str, cert: Path | None, key: Path | None) -> TlsFiles:
    """The studio's pair when given (checked), else a generated self-signed one."""
    if (cert is None) != (key is None):
        raise TlsError("pass both --cert and --key, or neither to generate a certificate")
    if cert is not None and key is not None:
        check_pair(cert, key)
        return TlsFiles(cert.resolve(), key.resolve(), self_signed=False)
    return self_signed(data_dir / "tls", local_names(bind_host))
