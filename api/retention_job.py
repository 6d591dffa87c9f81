"""``spotter up`` runs its daily jobs: ``spotter db prune`` (issue 20, item 4) and
``spotter schedule lookahead`` (issue 15: leave recorded weeks ahead gets its cover
proposal once it comes into range).

Why the supervisor and not the API's lifespan: a studio may run several API processes
behind a load balancer, and each lifespan would prune; the supervisor is one per box and
already restarts what fails. The prune runs as a short-lived child process (its own log,
``prune.log``), never two at once: a tick while one runs does nothing. The time of the
last run is kept in ``prune.json`` under the data directory, so a restarted stack keeps
the daily rhythm instead of pruning at every start; one that has missed its day prunes
shortly after it is up. ``spotter db prune`` also takes a file lock, so a prune started
by hand while the daily one runs waits its turn rather than racing it.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

DAY_S = 86_400.0
FIRST_AFTER_S = 60.0  # after start-up, so the prune does not compete with it
# A run that failed (the database was down, say) is tried again this soon, not a day later:
# leave coming into range must get its cover proposal while there is time to act on it.
RETRY_AFTER_S = 900.0
Popen = Callable[[list[str], Path, dict[str, str]], "subprocess.Popen[bytes]"]


@dataclass
class DailyJob:
    name: str
    argv: list[str]
    state_path: Path
    log_path: Path
    popen: Popen
    every_s: float = DAY_S
    next_at: float = 0.0
    running: subprocess.Popen[bytes] | None = None

    @classmethod
    def for_stack(cls, data_dir: Path, argv: list[str], log_dir: Path, popen: Popen,
                  now: float | None = None, name: str = "prune") -> DailyJob:
        job = cls(name, argv, data_dir / f"{name}.json", log_dir / f"{name}.log", popen)
        now = time.time() if now is None else now
        last = job.last_run()
        job.next_at = now + FIRST_AFTER_S if last is None else max(now + FIRST_AFTER_S,
                                                                    last + job.every_s)
        return job

    def last_run(self) -> float | None:
        """When this job last started (Unix seconds); None if never or unreadable."""
        try:
            return float(json.loads(self.state_path.read_text())["last_run"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def tick(self, now: float | None = None) -> None:
        """Called from the supervisor's loop: reap a finished run, start a due one."""
        now = time.time() if now is None else now
        if self.running is not None:
            code = self.running.poll()
            if code is None:
                return
            self.running = None
            if code == 0:
                log.info("daily job finished", job=self.name, log=str(self.log_path))
            else:
                self.next_at = min(self.next_at, now + RETRY_AFTER_S)
                log.error("daily job failed; tried again soon", job=self.name, code=code,
                          retry_in_s=round(self.next_at - now), log=str(self.log_path))
        if now < self.next_at:
            return
        self.next_at = now + self.every_s
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps({"last_run": now}))
        self.running = self.popen(self.argv, self.log_path, {})
        log.info("daily job started", job=self.name, pid=self.running.pid)

    def stop(self) -> None:
        if self.running is not None and self.running.poll() is None:
            self.running.terminate()
            try:
                self.running.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.running.kill()
        self.running = None
