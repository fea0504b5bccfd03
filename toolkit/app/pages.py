"""The desk's pages (all in Chinese): 本期, 收表, 下载, 指标, 计划."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

NAV = (("/period", "本期"), ("/upload", "收表"), ("/downloads", "下载"), ("/indicators", "指标"), ("/plan", "计划"))


def routes(desk, templates) -> list[Route]:
    from toolkit import words

    def page(name, request, period, **context):
        return templates.TemplateResponse(request, name, {
            "nav": NAV, "here": request.url.path, "period": period, "due": desk.due_from(request) or "",
            "periods": _periods(desk), "words": words, "max_size_mb": desk.max_size // 2**20, **context})

    async def period_page(request: Request):
        from toolkit.api import period_status

        period = desk.period_from(request)
        status = await run_in_threadpool(period_status, desk.db, desk.units, period, due=desk.due_from(request))
        return page("period.html", request, period, status=status)

    async def upload_page(request: Request):
        return page("upload.html", request, desk.period_from(request))

    async def downloads_page(request: Request):
        period = desk.period_from(request)
        reporting = await run_in_threadpool(_reporting_units, desk)
        return page("downloads.html", request, period, reporting=reporting)

    async def indicators_page(request: Request):
        from toolkit.desk import area_trends, sparkline

        period = desk.period_from(request)
        result = await run_in_threadpool(desk.consolidation, period)
        keys = {ind.id: ind.key for _, _, ind in desk.plan.indicators()}
        trends = await run_in_threadpool(area_trends, desk.db, sorted(set(keys.values())))
        rows = []
        for aggregate in result.aggregates:
            series = list(trends.get(keys.get(aggregate.indicator_id), []))
            if aggregate.value is not None and all(p != period.code for p, _ in series):
                series.append((period.code, aggregate.value))
            rows.append({"a": aggregate, "trend": sparkline(series)})
        return page("indicators.html", request, period, result=result, rows=rows)

    async def plan_page(request: Request):
        return page("plan.html", request, desk.period_from(request), describe=words.describe)

    return [Route("/period", period_page), Route("/upload", upload_page), Route("/downloads", downloads_page),
            Route("/indicators", indicators_page), Route("/plan", plan_page)]


def _periods(desk) -> list[str]:
    from toolkit.api import history_periods

    return [p["period"] for p in history_periods(desk.db)]


def _reporting_units(desk) -> list:
    """The units that report a row of the plan (each gets a template)."""
    from toolkit.api import assignment

    reporting = assignment(desk.plan, desk.units)
    return [u for u in desk.units if reporting.rows_for(u.code)]
