"""The workbench's web app: server-rendered pages, a little JavaScript, and a JSON API to save.

Only ``classify review`` imports this module, so ``classify predict`` never loads Starlette.
Every request needs the access token (as ``?token=`` once, then a cookie; a save must also carry
it in a header, which a page of another site cannot add), and a document is found by its id in
a dict: no part of a request path reaches the file system.
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
from dataclasses import asdict, dataclass
from importlib.resources import files
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..roles import TYPE_NAMES
from .queue import ORDER, ordered, why
from .store import ConflictError, DecisionError, ReviewError, Store
from .suggest import SUGGESTED, Suggested

TOKEN_HEADER = "X-Review-Token"
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# the page loads nothing from elsewhere and cannot be framed (keystrokes could be stolen from a frame)
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),  # the first URL carries the token
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]


@dataclass
class Workbench:
    """What the app serves: the documents under review (by id), their saved decisions, and the
    categories a coder may add."""

    documents: dict[str, Suggested]
    store: Store
    catalogue: list[dict]
    coder: str
    token: str


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _same(given: str | None, token: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


class TokenGate:
    """Refuses (403) every request without the token, as Jupyter does; turns a valid ``?token=``
    into an HttpOnly, SameSite=Strict cookie and a redirect to the same page without it."""

    def __init__(self, app, token: str, cookie: str):
        self.app, self.token, self.cookie = app, token, cookie

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)

        async def send_secured(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        reading = request.method in ("GET", "HEAD")
        if reading and _same(request.query_params.get("token"), self.token):
            response = RedirectResponse(str(request.url.remove_query_params("token")), status_code=303)
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
            return await response(scope, receive, send_secured)
        # a save must carry the token in a header: a cookie alone is sent by whatever page posts
        ok = _same(request.headers.get(TOKEN_HEADER), self.token) or (reading and _same(request.cookies.get(self.cookie), self.token))
        if not ok:
            response = PlainTextResponse("403 Forbidden: open the workbench with the URL that `classify review` printed (it carries the access token).\n", 403)
            return await response(scope, receive, send_secured)
        await self.app(scope, receive, send_secured)


def doc_path(doc_id: str) -> str:
    return quote(doc_id, safe="")


def _json_for_script(value) -> str:
    # inside <script>, "</script>" in a document's text must not end the element
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(bench: Workbench, *, cookie: str = "paxreview") -> Starlette:
    templates = jinja2.Environment(loader=jinja2.PackageLoader("classify.review", "templates"), autoescape=True)
    static = {p.name: p.read_bytes() for p in (files("classify.review") / "static").iterdir() if p.name.endswith((".js", ".css"))}
    store = bench.store
    names = {c["code"]: c["name"] for c in bench.catalogue}

    def page(name: str, **context) -> HTMLResponse:
        return HTMLResponse(templates.get_template(name).render(**context))

    def document(request: Request) -> Suggested:
        doc = bench.documents.get(request.path_params["doc_id"])
        if doc is None:
            raise HTTPException(404, "no such document in this review")
        return doc

    async def queue_page(request: Request):
        done = {d for d in bench.documents if store.states[d].done}
        rows = [
            {"doc": d, "state": store.states[d.id], "url": "/doc/" + doc_path(d.id), "why": why(d.scores, names),
             "decided": sum(s.code in store.states[d.id].decisions for s in d.suggestions if s.tier == SUGGESTED),
             "suggested": sum(s.tier == SUGGESTED for s in d.suggestions)}
            for d in ordered(bench.documents.values(), done)
        ]
        return page("queue.html", rows=rows, n_done=len(done), folder=store.folder, order=ORDER)

    async def document_page(request: Request):
        doc = document(request)
        state = store.states[doc.id]
        queue = [d.id for d in ordered(bench.documents.values(), {d for d in bench.documents if store.states[d].done})]
        following = next((q for q in queue[queue.index(doc.id) + 1 :] if not store.states[q].done), None)
        payload = {
            **state.as_json(),
            "suggestions": [asdict(s) for s in doc.suggestions],
            "groups": doc.groups,
            "known": bench.catalogue,
            "scores": doc.scores,
            "n_clauses": len(doc.clauses),
            "urls": {"decide": "/api/decide/" + doc_path(doc.id), "done": "/api/done/" + doc_path(doc.id)},
        }
        return page("document.html", doc=doc, token=bench.token, state_json=_json_for_script(payload), type_name=TYPE_NAMES.get(doc.document_type, doc.document_type),
                    next_url="/doc/" + doc_path(following) if following else None)

    async def static_file(request: Request):
        name = request.path_params["name"]
        if name not in static:
            raise HTTPException(404)
        return Response(static[name], media_type=STATIC_TYPES.get(name[name.rfind("."):], "application/octet-stream"))

    async def api(request: Request, action):
        """Run a save; a refusal is a 4xx with a message for the page, never a traceback."""
        doc = document(request)
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse({"error": "the request body must be a JSON object"}, 400)
        try:
            state = action(doc, body)
        except DecisionError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        except ConflictError as exc:
            return JSONResponse({"error": str(exc), "version": store.states[doc.id].version}, 409)
        except (ReviewError, OSError) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return JSONResponse({"error": f"not saved: {exc}"}, 500)
        return JSONResponse(state.as_json())

    async def decide(request: Request):
        return await api(request, lambda doc, b: store.decide(doc.id, b.get("version"), b.get("code"), b.get("value"), b.get("clauses", []), bench.coder))

    async def set_done(request: Request):
        def action(doc, b):
            decided = store.states[doc.id].decisions
            # a possible category left undecided is absent, as the model has it
            return store.set_done(doc.id, b.get("version"), b.get("done"), [s.code for s in doc.suggestions if s.tier == SUGGESTED and s.code not in decided])

        return await api(request, action)

    async def state(request: Request):
        return JSONResponse(store.states[document(request).id].as_json())

    routes = [
        Route("/", queue_page),
        Route("/doc/{doc_id:path}", document_page),
        Route("/static/{name}", static_file),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/state/{doc_id:path}", state),
        Route("/api/decide/{doc_id:path}", decide, methods=["POST"]),
        Route("/api/done/{doc_id:path}", set_done, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(TokenGate, token=bench.token, cookie=cookie)
    return app


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (``port`` 0: a free one), bound before the URL is printed, so the URL
    works the moment it is shown."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without it every
    # response waits out the client's 40 ms delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ReviewError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); pass another --port, or --port 0 for a free one") from None
    sock.listen(128)
    return sock


def url_of(sock: socket.socket, token: str) -> str:
    host, port = sock.getsockname()[:2]
    return str(URL(f"http://{'[' + host + ']' if ':' in host else host}:{port}/").include_query_params(token=token))


def serve(app, sock: socket.socket) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    server.run(sockets=[sock])
