"""The clerk's desk: a local web page over the library (`toolkit serve`).

`create_app(plan, units, db)` makes the Starlette app; every action is one
library call (toolkit.api, toolkit.desk), run in a worker thread so the page
keeps answering while a large batch is checked. Reading returns happens in
the intake's worker processes, as for the CLI.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from toolkit.app.guard import Guard, content_disposition

HERE = Path(__file__).resolve().parent
MB = 2**20


class Desk:
    """What the pages share: the plan, the units, the ledger, the limits."""

    def __init__(self, plan, units, db, *, period=None, due=None, max_size=20 * MB, max_total=1024 * MB):
        from toolkit import api

        self.plan = api.load_plan(plan)
        self.units = api.load_units(units) or []
        self.db = Path(db)
        api.open_ledger(self.db).close()  # created and migrated before the first request
        self.period = api.period_of(period) if period else None
        self.due = due
        self.max_size = max_size
        self.max_total = max_total
        self._lock = threading.Lock()
        self._cached: dict = {}
        # one ledger writer at a time: a second batch waits here, not on the ledger's 30 s lock timeout
        self.writing = threading.Lock()

    def write(self, call, *args, **kwargs):
        with self.writing:
            return call(*args, **kwargs)

    def period_from(self, request: Request):
        from toolkit import api
        from toolkit.errors import UsageError

        text = request.query_params.get("period")
        if text:
            try:
                return api.period_of(text)
            except UsageError:
                pass
        return self.period or _latest(self.db) or _this_quarter()

    def due_from(self, request: Request):
        return request.query_params.get("due") or self.due

    def consolidation(self, period):
        """The period's consolidation of every stored return (no outputs, nothing recorded), kept
        until a file arrives."""
        import toolkit
        from toolkit.desk import stored_returns

        paths = stored_returns(self.db, period)
        key = (period.code, tuple(str(p) for p in paths), self.due)
        with self._lock:
            if key in self._cached:
                return self._cached[key]
        result = toolkit.consolidate(self.plan, [str(p) for p in paths], units=self.units, period=period,
                                     due=self.due, limits=self.limits())
        with self._lock:
            self._cached = {k: v for k, v in self._cached.items() if k[0] != period.code}
            self._cached[key] = result
        return result

    def limits(self):
        from toolkit.gate import Limits

        return Limits(max_bytes=self.max_size)


def _latest(db):
    from toolkit import api

    periods = [p["period"] for p in api.history_periods(db)]
    return api.period_of(periods[-1]) if periods else None


def _this_quarter():
    from toolkit import api

    today = dt.date.today()
    return api.period_of(f"{today.year}Q{(today.month - 1) // 3 + 1}")


def create_app(plan, units, db, *, period=None, due=None, password=None, local_only=True,
               max_size=20 * MB, max_total=1024 * MB):
    """The desk's ASGI app. password: required from every request (HTTP Basic) when given."""
    from toolkit.app import pages

    desk = Desk(plan, units, db, period=period, due=due, max_size=max_size, max_total=max_total)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["plan"] = desk.plan
    routes = [
        Route("/", lambda request: RedirectResponse("/period" + (f"?{request.url.query}" if request.url.query else ""))),
        *pages.routes(desk, templates),
        Route("/api/returns", _returns, methods=["POST"]),
        Route("/api/status", _status),
        Route("/api/stamp", _stamp),
        Route("/api/leaders.xlsx", _leaders),
        Route("/api/feedback.zip", _feedback),
        Route("/api/report.xlsx", _report),
        Route("/api/templates.zip", _templates),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={Exception: _failure})
    app.state.desk = desk
    return Guard(app, password=password, local_only=local_only, max_total=max_total)


async def _failure(request: Request, exc: Exception):
    from toolkit.errors import ToolkitError

    if isinstance(exc, ToolkitError):
        return JSONResponse({"error": str(exc)}, status_code=400)
    import traceback

    from toolkit.logs import log_internal_error

    log = log_internal_error(f"toolkit serve {request.method} {request.url.path}",  # for the developer
                             "".join(traceback.format_exception(exc)))
    return JSONResponse({"error": f"toolkit 内部错误（{type(exc).__name__}），不是您的文件或操作的问题。"
                                  f"详情已记入日志：{log}"}, status_code=500)


# ------------------------------------------------------------------ the API


async def _returns(request: Request):
    """POST /api/returns?period=P (multipart `files`: returns or .zip): like `validate --json`."""
    from toolkit import api
    from toolkit.desk import UploadTooLarge, public_names

    desk: Desk = request.app.state.desk
    period = desk.period_from(request)
    async with request.form(max_files=100_000, max_fields=100) as form:
        uploads = [f for f in form.getlist("files") if hasattr(f, "filename")]
        if not uploads:
            return JSONResponse({"error": "没有收到文件（表单字段 files）"}, status_code=400)
        for upload in uploads:
            if upload.size is not None and upload.size > desk.max_size and \
                    not (upload.filename or "").lower().endswith(".zip"):
                return JSONResponse({"error": f"文件“{upload.filename}”超过 {desk.max_size // MB} MB 的上限"},
                                    status_code=413)
        files = [(upload.filename or "", await upload.read()) for upload in uploads]
    try:
        received = await run_in_threadpool(desk.write, api.receive_uploads, desk.plan, files, db=desk.db,
                                           units=desk.units, period=period, max_size=desk.max_size,
                                           limits=desk.limits())
    except UploadTooLarge as exc:
        return JSONResponse({"error": exc.message}, status_code=413)
    if received.report is not None:
        answer = public_names(received.report.to_json())
    else:
        answer = {"plan": desk.plan.id, "period": period.code, "files": [], "outcomes": []}
    answer["skipped"] = [{"name": name, "why": why} for name, why in received.skipped]
    return JSONResponse(answer)


async def _status(request: Request):
    """GET /api/status?period=P: like `consolidate --json`."""
    desk: Desk = request.app.state.desk
    period = desk.period_from(request)
    result = await run_in_threadpool(desk.consolidation, period)
    body = "".join(result.json_chunks())
    headers = {}
    if request.query_params.get("download"):
        headers["content-disposition"] = content_disposition(f"汇总_{period.code}.json")
    return Response(body, media_type="application/json; charset=utf-8", headers=headers)


async def _stamp(request: Request):
    """What the 本期 page polls: has a file arrived?"""
    from toolkit.api import period_status

    desk: Desk = request.app.state.desk
    status = await run_in_threadpool(period_status, desk.db, desk.units, desk.period_from(request),
                                     due=desk.due_from(request))
    return JSONResponse({"period": status["period"], "counts": status["counts"]})


async def _leaders(request: Request):
    """The leaders' workbook, issued: recorded in the ledger (with its trend)."""
    import toolkit
    from toolkit.desk import stored_returns

    desk: Desk = request.app.state.desk
    period = desk.period_from(request)

    def make(folder: Path) -> Path:
        from toolkit.errors import ToolkitError

        target = folder / f"汇总_{period.code}.xlsx"
        paths = [str(p) for p in stored_returns(desk.db, period)]
        try:  # no uploads: the period as issued, if it was
            desk.write(toolkit.consolidate, desk.plan, paths, units=desk.units, period=period,
                       due=desk.due_from(request), output=target, limits=desk.limits(), db=desk.db)
        except ToolkitError:
            if paths:
                raise
            # nothing received and nothing issued: every unit missing, nothing recorded
            toolkit.consolidate(desk.plan, [], units=desk.units, period=period, due=desk.due_from(request),
                                output=target)
        return target

    return await _download(make)


async def _feedback(request: Request):
    """The marked-up copies of every return with findings, as one .zip."""
    import toolkit
    from toolkit.desk import stored_returns, zip_folder

    desk: Desk = request.app.state.desk
    period = desk.period_from(request)

    def make(folder: Path) -> Path:
        marked = folder / "退回修改"
        paths = [str(p) for p in stored_returns(desk.db, period)]
        if paths:
            toolkit.validate(desk.plan, paths, units=desk.units, period=period, feedback=marked, limits=desk.limits())
        marked.mkdir(exist_ok=True)
        return zip_folder(marked, folder / f"退回修改_{period.code}.zip")

    return await _download(make)


async def _report(request: Request):
    import toolkit
    from toolkit.desk import stored_returns

    desk: Desk = request.app.state.desk
    period = desk.period_from(request)

    def make(folder: Path) -> Path:
        target = folder / f"校验报告_{period.code}.xlsx"
        toolkit.validate(desk.plan, [str(p) for p in stored_returns(desk.db, period)], units=desk.units,
                         period=period, report=target, limits=desk.limits())
        return target

    return await _download(make)


async def _templates(request: Request):
    """The period's templates, pre-filled from the ledger: all as one .zip, or one unit's (?unit=CODE)."""
    import toolkit
    from toolkit.desk import zip_folder

    desk: Desk = request.app.state.desk
    period = desk.period_from(request)
    unit = request.query_params.get("unit")

    def make(folder: Path) -> Path:
        built = folder / f"模板_{period.code}"
        result = toolkit.build_templates(desk.plan, desk.units, period, built, due=desk.due_from(request), db=desk.db)
        if unit:
            for template in result.templates:
                if template.unit_code == unit:
                    return Path(template.path)
            raise LookupError(unit)
        return zip_folder(built, folder / f"模板_{period.code}.zip")

    try:
        return await _download(make)
    except LookupError:
        return JSONResponse({"error": f"单位“{unit}”本期没有要填报的模板"}, status_code=404)


async def _download(make) -> Response:
    """Run `make(folder)` in a worker thread; send the file it made, then remove the folder."""
    folder = Path(tempfile.mkdtemp(prefix="toolkit-desk-"))
    try:
        path = await run_in_threadpool(make, folder)
    except BaseException:
        _remove(folder)
        raise
    media = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".zip": "application/zip", ".json": "application/json"}.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=media, headers={"content-disposition": content_disposition(path.name)},
                        background=BackgroundTask(_remove, folder))


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
