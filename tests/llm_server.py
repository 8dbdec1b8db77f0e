"""A loopback OpenAI-compatible server for tests: scripted replies and faults.

`POST /v1/chat/completions` plays the next scripted `Reply` (or the default): a JSON completion,
or server-sent chunks when the request asks to stream. Faults: a delay before answering, an HTTP
status (500, 429…), a raw body (malformed JSON), a stream cut off mid-way, a stream that stalls.
Every request body is kept in `.requests`, so tests can read the prompt the model was sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def answer_json(
    answer: str,
    answer_english: str = "",
    sources: list[str] | None = None,
    completeness: str = "complete",
) -> str:
    return json.dumps(
        {
            "answer": answer,
            "answer_english": answer_english,
            "sources_used": ["S1"] if sources is None else sources,
            "completeness": completeness,
        },
        ensure_ascii=False,
    )


@dataclass
class Reply:
    content: str = ""  # the assistant message (a JSON answer, usually)
    status: int = 200
    delay_s: float = 0.0  # before the status line
    body: bytes | None = None  # sent as is instead of a completion (malformed JSON)
    finish_reason: str = "stop"
    chunk_chars: int = 12  # streamed in pieces of this many characters
    chunk_delay_s: float = 0.0  # between streamed pieces
    cut_after: int | None = None  # stream: drop the connection after this many pieces
    stall_after: int | None = None  # stream: stop sending (connection open) after this many
    headers: dict[str, str] = field(default_factory=dict)


class LoopbackLLM:
    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply(answer_json("The default scripted answer."))
        self.script: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # -- control

    def push(self, *replies: Reply) -> LoopbackLLM:
        self.script.extend(replies)
        return self

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> LoopbackLLM:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # cuts delays and stalls short
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> LoopbackLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self) -> Reply:
        return self.script.popleft() if self.script else self.default

    def _wait(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; True if it is."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_owner: LoopbackLLM

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        else:
            self._json(404, {"error": {"message": "not found", "type": "not_found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        owner = self.server_owner
        owner.requests.append(request)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": "not found", "type": "not_found"}})
            return
        reply = owner._next()
        if owner._wait(reply.delay_s):
            return
        if reply.status != 200:
            body = {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}
            self._json(reply.status, body, reply.headers)
        elif reply.body is not None:
            self._raw(200, reply.body, "application/json")
        elif request.get("stream"):
            self._stream(request, reply)
        else:
            self._json(200, _completion(request, reply), reply.headers)

    # -- responses

    def _json(self, status: int, data: dict, headers: dict[str, str] | None = None) -> None:
        self._raw(status, json.dumps(data).encode(), "application/json", headers)

    def _raw(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, request: dict, reply: Reply) -> None:
        owner = self.server_owner
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        text = reply.content
        pieces = [text[i : i + reply.chunk_chars] for i in range(0, len(text), reply.chunk_chars)]
        base = {
            "id": "chatcmpl-loopback",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": request.get("model", "scripted"),
        }
        first = {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
        self._chunk(_sse(first))
        for n, piece in enumerate(pieces):
            if reply.cut_after is not None and n >= reply.cut_after:
                # drop the connection with the chunked body unfinished
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if reply.stall_after is not None and n >= reply.stall_after:
                owner._wait(3600)
                return
            delta = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
            self._chunk(_sse({**base, "choices": [delta]}))
            if owner._wait(reply.chunk_delay_s):
                return
        last = {"index": 0, "delta": {}, "finish_reason": reply.finish_reason}
        self._chunk(_sse({**base, "choices": [last]}))
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _sse(data: dict) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()


def _completion(request: dict, reply: Reply) -> dict:
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "scripted"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
