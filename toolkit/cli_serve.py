"""`toolkit serve`: the clerk's desk, a web page on this computer (a thin layer over toolkit.app)."""

from __future__ import annotations

import click

from toolkit.app.guard import LOCAL_HOSTS


@click.command("serve")
@click.argument("plan_file", metavar="PLAN")
@click.option("--units", "units_file", type=click.Path(dir_okay=False, exists=True), required=True,
              help="Units list: who is expected to report.")
@click.option("--db", type=click.Path(dir_okay=False), envvar="TOOLKIT_DB", required=True,
              help="The ledger (SQLite file, created if new; or TOOLKIT_DB). Uploads are kept in a folder beside it.")
@click.option("--period", help="The period shown first (e.g. 2026Q2); the page can switch.")
@click.option("--due", help="Due date of the returns (e.g. 2026-07-10): later returns are shown as late.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this computer needs --password.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--password", envvar="TOOLKIT_PASSWORD",
              help="Password every request must give (HTTP Basic); generated and printed if --host is not local.")
@click.option("--max-size", type=click.IntRange(min=1), default=20, show_default=True, help="Largest file uploaded, in MB.")
@click.option("--max-total", type=click.IntRange(min=1), default=1024, show_default=True,
              help="Largest upload (all files of one request together), in MB.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
def serve(plan_file, units_file, db, period, due, host, port, password, max_size, max_total, open_browser):
    """Start the clerk's desk: a web page for the whole period's work (Ctrl-C stops it)."""
    import secrets
    import webbrowser

    import uvicorn

    from toolkit.app.web import MB, create_app

    local = host in LOCAL_HOSTS
    if not local and not password:
        password = secrets.token_urlsafe(12)
        click.echo(f"对外提供服务必须设密码；已生成密码：{password}（浏览器询问时用户名任意）")
    app = create_app(plan_file, units_file, db, period=period, due=due, password=password, local_only=local,
                     max_size=max_size * MB, max_total=max_total * MB)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/"
    click.echo(f"台账：{db}\n请在浏览器中打开：{address}\n按 Ctrl-C 停止。")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if open_browser:
        import threading

        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn shuts down first, then passes Ctrl-C on
        pass
    click.echo("已停止。")
