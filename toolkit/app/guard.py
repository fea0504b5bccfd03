"""The desk's gate, as one ASGI middleware: password, host, cross-site requests, size.

- With a password every request needs it (HTTP Basic: every browser asks for it itself).
- Bound to this computer only, the Host header must name this computer (a web
  page elsewhere cannot reach the desk by a DNS name that points here).
- A request that changes something (POST), or any /api/ request, from another site
  is refused: its Origin (or Referer) must be this desk, and Sec-Fetch-Site must
  not say cross-site.
- A request body larger than the total limit is refused with 413 before it is read.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
from urllib.parse import quote, urlsplit

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


class BodyTooLarge(Exception):
    pass


def content_disposition(name: str) -> str:
    """RFC 6266 / 5987: an ASCII fallback and the real (Chinese) name in UTF-8."""
    suffix = name[name.rfind("."):] if "." in name else ""
    fallback = re.sub(r"_+", "_", "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name))
    if fallback.strip("_.") == suffix.strip("_.") or not fallback.strip("_."):
        fallback = "download" + suffix if suffix.isascii() else "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class Guard:
    def __init__(self, app, *, password: str | None, local_only: bool, max_total: int):
        self.app = app
        self.password = password
        self.local_only = local_only
        self.max_total = max_total

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if self.local_only and _hostname(host) not in LOCAL_HOSTS:
            return await _answer(send, 403, "只接受本机访问（地址应为 127.0.0.1 或 localhost）")
        if self.password is not None and not self._authorised(headers.get("authorization", "")):
            return await _answer(send, 401, "请输入密码（用户名任意）",
                                 [(b"www-authenticate", b'Basic realm="toolkit", charset="UTF-8"')])
        changes = scope["method"] not in ("GET", "HEAD", "OPTIONS")
        if (changes or scope["path"].startswith("/api/")) and _cross_site(headers, host):
            # the API too: downloading the leaders' workbook records the period's summary
            return await _answer(send, 403, "拒绝来自其他网站的请求")
        if changes:
            length = headers.get("content-length")
            if length and length.isdigit() and int(length) > self.max_total:
                return await _answer(send, 413, _too_large(self.max_total))
            receive = self._counted(receive)
        started = False

        async def tracked(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except BodyTooLarge:
            if not started:
                await _answer(send, 413, _too_large(self.max_total))

    def _authorised(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            _, _, given = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8"))

    def _counted(self, receive):
        seen = 0
        limit = self.max_total

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        return counted


def _too_large(limit: int) -> str:
    return f"上传的文件合计超过 {limit // 2**20} MB 的上限，请分几次上传"


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[:host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _cross_site(headers: dict, host: str) -> bool:
    if headers.get("sec-fetch-site") == "cross-site":
        return True
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return False  # not a browser (curl, a script): no ambient credentials to abuse
    if source == "null":
        return True
    return urlsplit(source).netloc.lower() != host.lower()


async def _answer(send, status: int, message: str, extra=()):
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})
