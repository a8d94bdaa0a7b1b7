"""gunicorn for Xianjie: one uvicorn worker (HTTP and WebSocket, one event loop) per core behind nginx.

    gunicorn -c deploy/gunicorn.conf.py config.asgi:application

Each setting can be overridden on the command line (config/stack.py binds its own socket there).
"""

import os

from uvicorn_worker import UvicornWorker  # type: ignore[import-untyped]


class XianjieWorker(UvicornWorker):
    """uvicorn.workers is deprecated in uvicorn; uvicorn-worker is its successor. The WebSocket side
    is set here, where gunicorn has no setting for it."""

    CONFIG_KWARGS = {
        **UvicornWorker.CONFIG_KWARGS,
        # nginx is in front: the app reads the client from X-Forwarded-For itself
        # (TRUSTED_PROXY_COUNT), so uvicorn leaves the peer and the headers as they came.
        "proxy_headers": False,
        # nginx keeps the access log, without query strings (ID numbers may be in ?q=); uvicorn's
        # would log every path with its query.
        "access_log": False,
        # Idle sockets are pinged every 20 s and dropped when a ping goes unanswered for 60 s: long
        # enough for a pong to come back from an event loop busy with a thousand handshakes, or
        # starved by a CPU-bound neighbour.
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 60.0,
        "ws_max_size": 1024 * 1024,
        # Django's ASGI handler has no lifespan events.
        "lifespan": "off",
    }


worker_class = XianjieWorker
# One process per core (WEB_CONCURRENCY overrides): each is one event loop.
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)
bind = os.environ.get("GUNICORN_BIND", "unix:/run/xianjie/gunicorn.sock")
# gunicornc's control socket beside the web socket, not in $HOME (one per running gunicorn).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "/run/xianjie/gunicorn.ctl")
# The listen queue of the shared socket: a burst of a thousand WebSocket handshakes waits here
# while the workers accept (the kernel caps it at net.core.somaxconn, 4096 on current kernels).
backlog = 4096
# A worker that has not reported for `timeout` seconds (its event loop stuck) is restarted.
timeout = 60
# On SIGTERM/HUP, workers finish their requests for up to this long; sockets are closed (1012).
graceful_timeout = 30
# Longer than nginx's upstream keepalive (60 s): nginx closes an idle connection first.
keepalive = 75
# No access log here (see access_log above); errors to stderr, which systemd's journal keeps.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The app is imported in each worker, not in the arbiter: a restart of one worker reloads nothing
# shared, and database connections are never inherited across fork.
preload_app = False
