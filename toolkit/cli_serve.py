"""`toolkit serve`: the clerk's desk, a web page on this computer (a thin layer over toolkit.app)."""

from __future__ import annotations

import click

from toolkit.app.guard import LOCAL_HOSTS
from toolkit.cli_options import db_option, max_size_option
from toolkit.cli_words import ChineseCommand


@click.command("serve", cls=ChineseCommand)
@click.argument("plan_file", metavar="计划")
@click.option("--units", "units_file", type=click.Path(dir_okay=False, exists=True), required=True, metavar="文件",
              help="单位名单：哪些单位应当报送。")
@db_option("台账（SQLite 文件，没有就新建；或环境变量 TOOLKIT_DB）。上传的报表存在它旁边的文件夹里。", required=True)
@click.option("--period", metavar="报送期", help="打开时显示的报送期（如 2026Q2），网页上可以切换。")
@click.option("--due", metavar="日期", help="报表截止日期（如 2026-07-10）：之后收到的显示为逾期。")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听的地址。不是本机地址时必须设 --password。")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="端口",
              help="监听的端口。")
@click.option("--password", envvar="TOOLKIT_PASSWORD", metavar="密码",
              help="访问网页要输入的密码（或环境变量 TOOLKIT_PASSWORD）；--host 不是本机而没设时，自动生成并显示。")
@max_size_option("上传的单个文件最大多少 MB。")
@click.option("--max-total", type=click.IntRange(min=1), default=1024, show_default=True, metavar="MB",
              help="一次上传（所有文件合计）最大多少 MB。")
@click.option("--open", "open_browser", is_flag=True, help="在浏览器中打开网页。")
def serve(plan_file, units_file, db, period, due, host, port, password, max_size, max_total, open_browser):
    """打开工作台：在浏览器里办一期的全部工作（按 Ctrl-C 停止）。"""
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
