"""A thousand WebSocket clients: connect, then print each notification's arrival time as JSON lines."""

import asyncio
import contextlib
import json
import sys
import time
from collections import Counter

import websockets

ATTEMPTS = 5


async def client(url: str, out, ready: asyncio.Event, counter: list[int], total: int, failures: Counter):
    # A refused or failed handshake is tried again after a pause, as the pages' live.js does.
    for attempt in range(ATTEMPTS):
        try:
            ws = await websockets.connect(url, max_queue=None, open_timeout=60)
            await ws.recv()  # the unread count: connected and subscribed
            break
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            failures[type(exc).__name__ + (f" {status}" if status else "")] += 1
            await asyncio.sleep(1 + attempt)
    else:
        return
    counter[0] += 1
    if counter[0] == total:
        ready.set()
    try:
        async with ws:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "notification":
                    out.write(json.dumps({"id": message["id"], "at": time.time()}) + "\n")
                    out.flush()
    except websockets.ConnectionClosed:
        pass
    # Closed before the run ended (a cancelled client never gets here): say by whom and why.
    out.write(json.dumps({"closed": ws.close_code, "reason": ws.close_reason or ""}) + "\n")
    out.flush()


async def main(ports: list[int], tokens: list[str], seconds: float):
    ready, counter, failures = asyncio.Event(), [0], Counter()
    started = time.monotonic()
    tasks = []
    for i, token in enumerate(tokens):
        port = ports[i % len(ports)]  # spread over the ASGI processes, as a proxy would
        tasks.append(
            asyncio.create_task(
                client(
                    f"ws://127.0.0.1:{port}/ws/notifications/?token={token}",
                    sys.stdout,
                    ready,
                    counter,
                    len(tokens),
                    failures,
                )
            )
        )
        if len(tasks) % 50 == 0:
            await asyncio.sleep(0.1)  # connect at a steady pace, not in one burst
    with contextlib.suppress(TimeoutError):  # report how many made it; the bench says so beside the figure
        await asyncio.wait_for(ready.wait(), timeout=90)
    report = {"ready": counter[0], "failed_attempts": dict(failures), "seconds": round(time.monotonic() - started, 1)}
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()


if __name__ == "__main__":
    ports, seconds = [int(p) for p in sys.argv[1].split(",")], float(sys.argv[2])
    asyncio.run(main(ports, sys.stdin.read().split(), seconds))
