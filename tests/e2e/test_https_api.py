"""HTTPS for the studio tablet: a generated (or given) certificate, and the real API
process answering over TLS with secure cookies."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.demo import seed_demo
from api.stack import Stack
from api.tls import TlsError, check_pair, resolve, self_signed
from configs.settings import Settings
from db.migrate import upgrade

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def openssl() -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not installed")


def test_a_generated_certificate_names_this_box_and_is_reused(tmp_path: Path,
                                                              openssl: None) -> None:
    first = self_signed(tmp_path, ["localhost", "127.0.0.1"])
    text = subprocess.run(["openssl", "x509", "-in", str(first.cert), "-noout", "-ext",
                           "subjectAltName"], capture_output=True, text=True).stdout
    assert "IP Address:127.0.0.1" in text and "DNS:localhost" in text
    assert oct(first.key.stat().st_mode & 0o777) == "0o600"
    stamp = first.cert.stat().st_mtime_ns
    again = self_signed(tmp_path, ["localhost", "127.0.0.1"])
    assert again.cert.stat().st_mtime_ns == stamp  # same names, still valid: reused
    other = self_signed(tmp_path, ["localhost", "127.0.0.1", "studio.local"])
    assert other.cert.stat().st_mtime_ns != stamp  # a new name: regenerated
    check_pair(other.cert, other.key)


def test_unusable_certificates_are_refused_with_advice(tmp_path: Path, openssl: None) -> None:
    a = self_signed(tmp_path / "a", ["localhost"])
    b = self_signed(tmp_path / "b", ["localhost"])
    with pytest.raises(TlsError, match="must belong to the certificate"):
        check_pair(a.cert, b.key)
    with pytest.raises(TlsError, match="not found"):
        check_pair(tmp_path / "none.pem", a.key)
    with pytest.raises(TlsError, match="both --cert and --key"):
        resolve(tmp_path, "127.0.0.1", a.cert, None)
    result = CliRunner().invoke(cli, ["up", "--cert", str(a.cert)])
    assert result.exit_code == 2 and "both --cert and --key" in result.stderr


def test_the_api_answers_over_tls_with_secure_cookies(tmp_path: Path, openssl: None,
                                                      redis_server_url: str) -> None:
    database_url = f"sqlite:///{tmp_path / 'tls.db'}"
    upgrade(database_url)
    demo = seed_demo(database_url, members=1)
    settings = Settings(data_dir=tmp_path, api_port=free_port(), database_url=database_url,
                        redis_url=redis_server_url)
    tls = resolve(tmp_path, settings.api_host, None, None)
    stack = Stack(settings, tls=tls)
    env = {**os.environ, **stack.settings_env()}
    server = subprocess.Popen(stack.api_argv([sys.executable, "-m", "api.cli"]), cwd=REPO,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if stack.api_healthy():
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "API over TLS never became healthy"
            time.sleep(0.3)
        base = stack.api_base_url
        assert base.startswith("https://")
        with httpx.Client(verify=tls.client_context()) as client:
            response = client.get(f"{base}/healthz")
            ssl_object = response.extensions["network_stream"].get_extra_info("ssl_object")
            assert response.json() == {"status": "ok"}
            assert ssl_object.version() in ("TLSv1.2", "TLSv1.3")
            email, password = demo.accounts["trainer"]
            login = client.post(f"{base}/login", data={"email": email, "password": password})
            assert login.status_code == 303
            assert "secure" in login.headers["set-cookie"].lower()
        with pytest.raises(httpx.ConnectError):  # an untrusted client refuses the self-signed cert
            httpx.get(f"{base}/healthz")
        plain = base.replace("https://", "http://")
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{plain}/healthz", timeout=3).raise_for_status()
    finally:
        server.terminate()
        server.wait(timeout=15)
