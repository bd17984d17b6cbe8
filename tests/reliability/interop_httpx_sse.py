"""An httpx-sse client for the interop test: follows one Kiln stream to its end.

It reconnects after every cut with `Last-Event-ID` (as a browser would, waiting the
server's `retry`), keeps every progress and complete event, and stops when a
reconnect is answered 204. Prints one JSON object: events, connections, final_status.
Bounded: at most 200 connections and 80 seconds.
"""

import json
import sys
import time

import httpx
from httpx_sse import connect_sse

URL = sys.argv[1]
events = []
last_id = None
retry = 2.0
connections = 0
final_status = None
deadline = time.monotonic() + 80

with httpx.Client(timeout=httpx.Timeout(10.0, read=30.0)) as client:
    while connections < 200 and time.monotonic() < deadline:
        connections += 1
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            with connect_sse(client, "GET", URL, headers=headers) as source:
                if source.response.status_code != 200:
                    final_status = source.response.status_code
                    break
                for sse in source.iter_sse():
                    if sse.retry:
                        retry = sse.retry / 1000
                    if sse.id:
                        last_id = sse.id
                    if sse.event in ("progress", "complete"):
                        events.append({"id": sse.id, "event": sse.event})
        except (httpx.HTTPError, httpx.StreamError):
            pass
        time.sleep(retry)

print(json.dumps({"events": events, "connections": connections, "final_status": final_status}))
