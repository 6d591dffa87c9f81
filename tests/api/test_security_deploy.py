"""Deployment safety: what counts as production, one-line refusals of a bad production
configuration, the demo seed kept out of production, data files 0600, and forwarded
addresses believed only from configured proxies."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from typer.testing import CliRunner

from api.cli import app
from api.demo import DemoRefused, seed_demo
from api.security.datafiles import secure_sqlite_file, sqlite_file
from api.security.proxies import ProxySettingError, uvicorn_proxy_options
from configs.settings import Settings, get_settings
from tests.conftest import free_port

REAL_SECRET = "s" * 40


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set SPOTTER_* variables for one test; settings are re-read around it."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("value", "production"), [
    ("dev", False), ("test", False), ("DEV", False), (" Test ", False),
    ("prod", True), ("Prod", True), ("production", True), ("PRODUCTION", True),
    ("staging", True), ("", True), ("develop", True),
])
def test_anything_but_dev_or_test_is_production(value: str, production: bool) -> None:
    assert Settings(env=value).is_production is production


@pytest.mark.parametrize(("env_name", "secret", "refused"), [
    ("prod", "dev-insecure-change-me", True),
    ("Production", "dev-insecure-change-me", True),
    ("staging", "short-secret", True),
    ("prod", REAL_SECRET, False),
    ("dev", "dev-insecure-change-me", False),
])
def test_production_needs_a_real_secret(env_name: str, secret: str, refused: bool) -> None:
    settings = Settings(env=env_name, secret_key=secret)
    if refused:
        with pytest.raises(ValueError, match="SPOTTER_SECRET_KEY"):
            settings.check_secrets()
    else:
        settings.check_secrets()


@pytest.mark.parametrize("command", [["api"], ["worker"], ["up", "--demo"]])
@pytest.mark.parametrize(("variables", "needle"), [
    ({"SPOTTER_ENV": "Production"}, "SPOTTER_ENV=Production is production"),
    ({"SPOTTER_ENV": "prod", "SPOTTER_SECRET_KEY": "too-short"}, "at least 32 characters"),
    ({"SPOTTER_API_PORT": "eighty"}, "SPOTTER_API_PORT: Input should be a valid integer"),
    ({"SPOTTER_TRUSTED_PROXIES": "the-lb"}, "SPOTTER_TRUSTED_PROXIES: 'the-lb' is not"),
])
def test_a_production_misconfiguration_is_one_line_not_a_traceback(env, command, variables,
                                                                   needle) -> None:
    for name, value in variables.items():
        env.setenv(name, value)
    code, out, err = run(*command)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and needle in err and err.count("\n") == 1
    assert "Traceback" not in err


def test_the_demo_refuses_a_production_environment_or_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with pytest.raises(DemoRefused, match="SPOTTER_ENV=Prod is production"):
        seed_demo(url, env="Prod")
    with pytest.raises(DemoRefused, match="the database is postgresql"):
        seed_demo("postgresql+psycopg://spotter@db/spotter", env="dev")
    assert not (tmp_path / "demo.db").exists()  # refused before touching anything


def test_seed_demo_refuses_in_one_line_unless_forced(env, seeded_database, tmp_path) -> None:
    template, _demo = seeded_database
    shutil.copyfile(template, tmp_path / "prod.db")
    env.setenv("SPOTTER_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    env.setenv("SPOTTER_ENV", "prod")
    code, out, err = run("db", "seed-demo", "--members", "1")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "refusing to seed the demo: SPOTTER_ENV=prod is production" in err
    assert "--force" in err and "Traceback" not in err
    code, out, _ = run("db", "seed-demo", "--members", "1", "--force")
    assert code == 0 and json.loads(out)["accounts"]["admin"]["email"] == "admin@demo.spotter"


def test_seed_demo_refuses_postgresql(env, postgres_url: str) -> None:
    env.setenv("SPOTTER_DATABASE_URL", postgres_url)
    code, _out, err = run("db", "seed-demo")
    assert code == 2 and "the database is postgresql" in err


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:///.spotter/spotter.db", Path(".spotter/spotter.db")),
    ("sqlite+aiosqlite:////var/lib/spotter/s.db", Path("/var/lib/spotter/s.db")),
    ("sqlite:///x.db?timeout=5", Path("x.db")),
    ("sqlite:///:memory:", None), ("sqlite://", None),
    ("postgresql+psycopg://u@h/db", None),
])
def test_the_sqlite_file_behind_a_url(url: str, path: Path | None) -> None:
    assert sqlite_file(url) == path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_db_upgrade_creates_the_database_0600(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run([sys.executable, "-m", "api.cli", "db", "upgrade"],
                            env={**os.environ, "SPOTTER_DATA_DIR": str(data)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert mode(data / "spotter.db") == 0o600
    assert mode(data) == 0o700  # made under the server commands' umask 077


def test_an_older_readable_database_is_narrowed_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    wal = tmp_path / "old.db-wal"
    wal.write_bytes(b"")
    wal.chmod(0o664)
    secure_sqlite_file(f"sqlite:///{path}")
    assert mode(path) == 0o600 and mode(wal) == 0o600
    fresh = tmp_path / "new" / "fresh.db"
    secure_sqlite_file(f"sqlite:///{fresh}")
    assert mode(fresh) == 0o600


@pytest.mark.parametrize(("value", "options"), [
    ("", {"proxy_headers": False}),
    (" ", {"proxy_headers": False}),
    ("10.0.0.5", {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.5"]}),
    ("10.0.0.5, 10.1.0.0/16,::1", {"proxy_headers": True,
                                   "forwarded_allow_ips": ["10.0.0.5", "10.1.0.0/16", "::1"]}),
])
def test_forwarded_headers_are_believed_only_from_configured_proxies(value, options) -> None:
    assert uvicorn_proxy_options(value) == options


def test_a_proxy_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(ProxySettingError, match="'proxy.local' is not an IP address"):
        uvicorn_proxy_options("10.0.0.1,proxy.local")


def login_statuses(base: str, attempts: int) -> list[int]:
    """Wrong-password logins from 127.0.0.1, each claiming a new X-Forwarded-For address."""
    codes = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for i in range(attempts):
            codes.append(client.post("/api/auth/token",
                                     json={"email": "x@demo.spotter", "password": "wrong"},
                                     headers={"X-Forwarded-For": f"203.0.113.{i + 1}"}
                                     ).status_code)
    return codes


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("trusted", "limited"), [("", True), ("127.0.0.1", False)])
def test_the_login_limit_cannot_be_dodged_with_forwarded_addresses(
        seeded_database, redis_server_url: str, tmp_path: Path, trusted: str,
        limited: bool) -> None:
    """`spotter api` as deployed: a local proxy (or anyone on the box) sending
    X-Forwarded-For no longer gets a fresh rate-limit window per made-up address."""
    template, _demo = seeded_database
    shutil.copyfile(template, tmp_path / "api.db")
    redis_url = redis_server_url.rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(redis_url).delete("spotter:login:127.0.0.1")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "api", "--port", str(port)],
        env={**os.environ, "SPOTTER_DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
             "SPOTTER_REDIS_URL": redis_url, "SPOTTER_DATA_DIR": str(tmp_path),
             "SPOTTER_TRUSTED_PROXIES": trusted},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "api did not start"
            time.sleep(0.2)
        codes = login_statuses(base, 12)
    finally:
        server.terminate()
        server.wait(timeout=20)
        redis.Redis.from_url(redis_url).delete("spotter:login:127.0.0.1")
    if limited:
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    else:
        assert codes == [401] * 12  # behind a trusted proxy each forwarded address counts


@pytest.mark.parametrize("variables", [
    {"SPOTTER_ENV": "prod", "SPOTTER_SECRET_KEY": REAL_SECRET},
    {"SPOTTER_DATABASE_URL": "postgresql://spotter@127.0.0.1:1/spotter"},
])
def test_spotter_up_demo_refuses_production_before_starting_anything(tmp_path: Path,
                                                                       variables) -> None:
    result = subprocess.run([sys.executable, "-m", "api.cli", "up", "--demo"],
                            env={**os.environ, "SPOTTER_DATA_DIR": str(tmp_path), **variables},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: refusing to seed the demo")
    assert result.stderr.count("\n") == 1 and not (tmp_path / "logs").exists()
