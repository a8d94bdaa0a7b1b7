"""The production stack on this machine, without root: nginx in front of gunicorn's uvicorn workers.

    with Stack() as stack:            # a free port, one worker per core, os.environ for the app
        urllib.request.urlopen(stack.url + "/")
        websockets.connect(stack.ws_url + "/ws/notifications/?token=…")

    python -m config.stack --port 8080    # in the foreground until Ctrl-C (`make serve`)
    python -m config.stack --locations    # deploy/nginx/xianjie-locations.conf for this installation

nginx runs unprivileged from a folder of its own (its pid, logs and temporary files there), with a
config rendered from the same rules as the production site: deploy/nginx/xianjie-http.conf and
xianjie-locations.conf, the latter's placeholders filled in from the settings. gunicorn runs with
deploy/gunicorn.conf.py on a Unix socket in that folder, the app with TRUSTED_PROXY_COUNT=1.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
# Sources whose change makes STATIC_ROOT stale (collectstatic is incremental, so a run costs little).
STATIC_SOURCES = ("static", "*/static", "pyproject.toml")


class StackError(RuntimeError):
    pass


def find_nginx() -> str:
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise StackError("nginx is not installed: `apt-get install nginx` (Debian) puts it at /usr/sbin/nginx.")


def check_gunicorn() -> None:
    for module in ("gunicorn", "uvicorn_worker", "uvicorn"):
        try:
            __import__(module)
        except ImportError:
            raise StackError(
                f"{module} is not installed in {sys.executable}: `pip install -e .` (or `make install`)."
            ) from None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_facts(env: Mapping[str, str]) -> dict:
    """STATIC_ROOT, MEDIA_ROOT and the largest request body, as the app's settings have them in `env`."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'static_root': str(s.STATIC_ROOT), 'media_root': str(s.MEDIA_ROOT), "
        "'max_body': max([s.REQUEST_BODY_MAX_BYTES, *(n for _p, n in s.REQUEST_BODY_LIMITS)])}))"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": env.get("DJANGO_SETTINGS_MODULE", "config.settings")}
    out = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise StackError(f"the settings could not be read:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def render_locations(facts: dict) -> str:
    text = (DEPLOY / "nginx" / "xianjie-locations.conf").read_text()
    max_kb = -(-int(facts["max_body"]) // 1024)  # rounded up
    return text.replace("{{STATIC_ROOT}}", facts["static_root"].rstrip("/")).replace(
        "{{CLIENT_MAX_BODY_SIZE}}", f"{max_kb}k"
    )


def newest_mtime(paths) -> float:
    newest = 0.0
    for base in paths:
        if base.is_file():
            newest = max(newest, base.stat().st_mtime)
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                newest = max(newest, os.stat(os.path.join(dirpath, name)).st_mtime)
    return newest


def collect_static(static_root: Path, env: Mapping[str, str]) -> None:
    """collectstatic into STATIC_ROOT when it is missing or older than a static source. A lock (in
    the temporary folder) keeps two stacks starting at once from collecting into it together."""
    static_root.parent.mkdir(parents=True, exist_ok=True)
    stamp = static_root / ".collected"
    digest = hashlib.sha256(str(static_root.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"xj-collectstatic-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sources = [p for pattern in STATIC_SOURCES for p in ROOT.glob(pattern) if ".venv" not in p.parts]
        if stamp.exists() and stamp.stat().st_mtime >= newest_mtime(sources):
            return
        out = subprocess.run(  # noqa: S603 - this interpreter, manage.py
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            raise StackError(f"collectstatic failed:\n{out.stderr[-2000:]}")
        stamp.touch()


def render_nginx(run: Path, port: int, locations: str, workers: int) -> Path:
    (run / "xianjie-locations.conf").write_text(locations)
    shutil.copy(DEPLOY / "nginx" / "xianjie-http.conf", run / "xianjie-http.conf")
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / temp).mkdir(exist_ok=True)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # Started by root, nginx would run its workers as `nobody`, who may read neither the run folder
    # nor the socket: they run as whoever started it, as they do when an ordinary user does.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    conf = f"""# Rendered by config/stack.py: an unprivileged nginx in front of gunicorn, plain HTTP on loopback.
{user}
daemon off;
worker_processes {workers};
pid {run}/nginx.pid;
error_log {run}/error.log warn;
# Each proxied WebSocket holds two descriptors (client and upstream).
worker_rlimit_nofile 16384;
events {{
    worker_connections 8192;
}}
http {{
    {mime}
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/xianjie-http.conf;
    upstream xianjie_app {{
        server unix:{run}/gunicorn.sock fail_timeout=0;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        access_log {run}/access.log xianjie;
        include {run}/xianjie-locations.conf;
    }}
}}
"""
    path = run / "nginx.conf"
    path.write_text(conf)
    return path


class UnixHTTPConnection(HTTPConnection):
    def __init__(self, path: str, timeout: float = 1.0):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def answers(conn: HTTPConnection) -> int | None:
    """The status of GET /up/ (no such page: a 404 without touching the database), or None."""
    try:
        conn.request("GET", "/up/", headers={"Host": "127.0.0.1"})
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


class Stack:
    """nginx on 127.0.0.1:`port` in front of gunicorn with `workers` uvicorn workers (os.cpu_count()
    by default) running the app in `env` (os.environ by default) with TRUSTED_PROXY_COUNT=1."""

    def __init__(self, port: int | None = None, workers: int | None = None, env: Mapping[str, str] | None = None):
        self.requested_port = port
        self.workers = workers or os.cpu_count() or 1
        self.env = {**(os.environ if env is None else env), "TRUSTED_PROXY_COUNT": "1"}
        self.env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        self.port = port or 0
        self.procs: list[subprocess.Popen] = []
        self.run_dir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def gunicorn(self) -> subprocess.Popen:
        return self.procs[0]

    @property
    def nginx(self) -> subprocess.Popen:
        return self.procs[1]

    def log(self, name: str) -> str:
        """A log of the run folder: gunicorn.log, error.log (nginx) or access.log (nginx)."""
        assert self.run_dir is not None
        path = self.run_dir / name
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> Stack:
        nginx = find_nginx()
        check_gunicorn()
        facts = app_facts(self.env)
        collect_static(Path(facts["static_root"]), self.env)
        # A short path: a Unix socket's must stay under about 100 bytes.
        self.run_dir = Path(tempfile.mkdtemp(prefix="xj-stack-", dir="/tmp"))
        try:
            self._start_gunicorn()
            for attempt in range(5):
                self.port = self.requested_port or free_port()
                conf = render_nginx(self.run_dir, self.port, render_locations(facts), min(self.workers, 4))
                if self._start_nginx(nginx, conf):
                    break
                if self.requested_port or attempt == 4:
                    raise StackError(f"nginx did not start:\n{self.log('error.log')[-2000:]}")
            self._wait(
                lambda: answers(HTTPConnection("127.0.0.1", self.port, timeout=1)) not in (None, 502, 504), "nginx"
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _start_gunicorn(self) -> None:
        assert self.run_dir is not None
        sock = self.run_dir / "gunicorn.sock"
        self.procs.append(
            subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    str(DEPLOY / "gunicorn.conf.py"),
                    "--bind",
                    f"unix:{sock}",
                    "--workers",
                    str(self.workers),
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env={**self.env, "GUNICORN_CONTROL_SOCKET": str(self.run_dir / "gunicorn.ctl")},
                stdout=open(self.run_dir / "gunicorn.log", "ab"),  # noqa: SIM115 - the child keeps it
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        self._wait(lambda: answers(UnixHTTPConnection(str(sock))) is not None, "gunicorn")

    def _start_nginx(self, nginx: str, conf: Path) -> bool:
        assert self.run_dir is not None
        proc = subprocess.Popen(  # noqa: S603 - nginx found on the PATH, our own config
            [nginx, "-p", str(self.run_dir), "-c", str(conf), "-e", str(self.run_dir / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=open(self.run_dir / "nginx.stderr", "ab"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False  # e.g. the port was taken in between
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    self.procs.append(proc)
                    return True
            time.sleep(0.05)
        proc.kill()
        proc.wait()
        return False

    def _wait(self, ready, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise StackError(
                        f"{what}: a process exited with {proc.returncode}:\n{self.log('gunicorn.log')[-3000:]}"
                        f"\n{self.log('error.log')[-1000:]}"
                    )
            if ready():
                return
            time.sleep(0.1)
        raise StackError(f"{what} did not answer within {timeout:.0f} s:\n{self.log('gunicorn.log')[-3000:]}")

    def stop(self) -> None:
        """nginx first (no new requests), then gunicorn (its workers close their sockets and stop)."""
        for proc, sig in reversed(list(zip(self.procs, (signal.SIGTERM, signal.SIGTERM), strict=False))):
            if proc.poll() is None:
                proc.send_signal(sig)
            try:
                proc.wait(35)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = []
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m config.stack", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=None, help="nginx's port on 127.0.0.1 (a free one if not given)")
    parser.add_argument("--workers", type=int, default=None, help="uvicorn workers (default: one per core)")
    parser.add_argument("--locations", action="store_true", help="print the filled-in xianjie-locations.conf and exit")
    args = parser.parse_args(argv)
    try:
        if args.locations:
            sys.stdout.write(render_locations(app_facts(os.environ)))
            return
        # SIGTERM and SIGHUP stop the stack as Ctrl-C does (its processes are in sessions of their own).
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.default_int_handler)
        with Stack(port=args.port, workers=args.workers) as stack:
            print(f"Xianjie at {stack.url} (nginx → gunicorn, {stack.workers} workers); Ctrl-C stops.", flush=True)
            try:
                while all(proc.poll() is None for proc in stack.procs):
                    time.sleep(0.5)
                sys.exit("a process of the stack exited:\n" + stack.log("gunicorn.log")[-3000:])
            except KeyboardInterrupt:
                print("stopping …", flush=True)
    except StackError as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
