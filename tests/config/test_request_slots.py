"""At most WEB_REQUEST_SLOTS HTTP requests of a web process run in Django at once; the others wait
in order and are all answered; WebSockets are not held back."""

import asyncio

from config.middleware import RequestSlotsASGI


def run_requests(app, n, kind="http"):
    answered = []

    async def one(i):
        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            answered.append((i, message))

        await app({"type": kind, "path": f"/{i}"}, receive, send)

    async def all_of_them():
        await asyncio.gather(*(one(i) for i in range(n)))

    asyncio.run(all_of_them())
    return answered


class Recorder:
    def __init__(self):
        self.running = 0
        self.peak = 0
        self.order = []

    async def __call__(self, scope, receive, send):
        self.running += 1
        self.peak = max(self.peak, self.running)
        self.order.append(scope["path"])
        await asyncio.sleep(0.01)
        await send({"type": "http.response.start", "status": 200})
        self.running -= 1


def test_requests_beyond_the_slots_wait_and_are_all_answered(settings):
    settings.WEB_REQUEST_SLOTS = 3
    inner = Recorder()
    answered = run_requests(RequestSlotsASGI(inner), 20)
    assert inner.peak == 3
    assert sorted(i for i, _m in answered) == list(range(20))
    assert inner.order == [f"/{i}" for i in range(20)]  # first come, first served


def test_websockets_are_not_counted(settings):
    settings.WEB_REQUEST_SLOTS = 1
    inner = Recorder()
    run_requests(RequestSlotsASGI(inner), 10, kind="websocket")
    assert inner.peak == 10
