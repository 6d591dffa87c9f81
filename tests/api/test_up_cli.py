"""``spotter up --demo`` as a newcomer runs it: prints the URL, serves tiles, and Ctrl-C
leaves no process behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.demo_camera import demo_clip

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(210)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> set[int]:
    """Every live process whose parent chain leads to ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_up_demo_serves_tiles_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    api_port = free_port()
    env = {**os.environ, "SPOTTER_DATA_DIR": str(tmp_path), "SPOTTER_API_PORT": str(api_port),
           "SPOTTER_KAFKA_PORT": str(free_port()), "SPOTTER_WORKER_ID": f"up-{api_port}"}
    env.pop("SPOTTER_KAFKA_URL", None)
    env.pop("SPOTTER_REDIS_URL", None)
    up = subprocess.Popen([sys.executable, "-m", "api.cli", "up", "--demo", "--members", "3"],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert up.stdout is not None
        url = up.stdout.readline().strip()  # printed once the first tile is live
        assert url == f"http://127.0.0.1:{api_port}/trainer"
        demo_line = up.stdout.readline().strip()
        while "Demo class, live now:" not in demo_line:
            demo_line = up.stdout.readline().strip()
        board_url = demo_line.split("live now:")[1].strip()
        class_id = board_url.rsplit("/", 1)[1]
        assert class_id.startswith("demo-") and class_id != "demo-class"  # a fresh one
        base = f"http://127.0.0.1:{api_port}"
        login = httpx.post(f"{base}/api/auth/token",
                           json={"email": "trainer@demo.spotter", "password": "demo-trainer-pass"})
        assert login.status_code == 200, login.text
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        # started as the tablet starts it (the API's start: live in the database) and
        # followed by the demo box of its room
        assert httpx.get(f"{base}/api/classes/{class_id}", headers=auth).json()[
            "status"] == "live"
        board = httpx.get(f"{base}/api/classes/{class_id}/board", headers=auth)
        assert board.status_code == 200 and len(board.json()) >= 1
        assert httpx.get(url).status_code == 303  # the page asks anonymous visitors to log in
        page = httpx.get(url, headers=auth)  # today's classes, the demo class live among them
        assert page.status_code == 200
        assert f'data-class-id="{class_id}" data-state="live"' in page.text
        live = httpx.get(board_url, headers=auth)
        assert live.status_code == 200 and 'id="tiles"' in live.text
        if demo_clip() is not None:  # the replayed clip's station reports its lunge faults
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "repeated_form_fault" not in {
                    a["rule"] for a in httpx.get(f"{base}/api/classes/{class_id}/alerts",
                                                 headers=auth).json()}:
                time.sleep(2)
            assert time.monotonic() < deadline, "no repeated form fault from the demo camera"
        started = descendants(up.pid)
        assert len(started) >= 5  # broker, redis, worker, api, edge
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in started) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in started if alive(pid)], "processes left running"
    finally:
        if up.poll() is None:
            up.kill()
