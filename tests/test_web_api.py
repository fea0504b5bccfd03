"""The clerk's desk over HTTP (toolkit serve): the API against the CLI's JSON, and the gate."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

with __import__("warnings").catch_warnings():  # starlette's note on httpx versions
    __import__("warnings").simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from toolkit.app.web import create_app  # noqa: E402
from toolkit.cli import cli  # noqa: E402

UNITS = Path(__file__).resolve().parent.parent / "examples" / "dingshan-units.csv"
LOCAL = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    """Eight simulated 2026Q2 returns, each with one of the usual mistakes (some errors, some warnings)."""
    from toolkit.api import simulate_returns

    folder = tmp_path_factory.mktemp("returns")
    simulate_returns("dingshan-2026", UNITS, "2026Q2", folder, n=8, seed=3, error_rate=1.0)
    return sorted(folder.glob("*.xlsx"))


def _client(tmp_path, **options) -> TestClient:
    app = create_app("dingshan-2026", UNITS, tmp_path / "台账.db", period="2026Q2", **options)
    return TestClient(app, base_url=options.pop("base_url", LOCAL))


def _files(paths):
    return [("files", (p.name, p.read_bytes())) for p in paths]


def _zip(paths) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            archive.write(path, f"回收/{path.name}")
    return buffer.getvalue()


def _essence(report: dict) -> list:
    return sorted(json.dumps([f["unit"], f["status"], f["sha256"], f["valid"],
                   sorted(json.dumps([x["code"], x["severity"], x["sheet"], x["cell"], x["message"]], ensure_ascii=False) for x in f["findings"])], ensure_ascii=False)
                  for f in report["files"])


def test_returns_answer_like_validate_json(tmp_path, returns, runner):
    client = _client(tmp_path)
    answer = client.post("/api/returns?period=2026Q2", files=_files(returns))
    assert answer.status_code == 200
    run = runner.invoke(cli, ["validate", "dingshan-2026", *map(str, returns), "--units", str(UNITS),
                              "--period", "2026Q2", "--json"])
    expected = json.loads(run.stdout)
    got = answer.json()
    assert _essence(got) == _essence(expected)
    assert {f["path"] for f in got["files"]} == {p.name for p in returns}  # names, not where the desk keeps them
    assert len(got["outcomes"]) == len(expected["outcomes"])
    assert any(f["status"] == "rejected" for f in got["files"])


def test_zip_upload_and_status_like_consolidate_json(tmp_path, returns, runner):
    client = _client(tmp_path)
    answer = client.post("/api/returns?period=2026Q2", files=[("files", ("回收.zip", _zip(returns)))])
    assert answer.status_code == 200
    assert len(answer.json()["files"]) == len(returns)
    status = client.get("/api/status?period=2026Q2").json()
    out = tmp_path / "cli.json"
    runner.invoke(cli, ["consolidate", "dingshan-2026", *map(str, returns), "--units", str(UNITS),
                        "--period", "2026Q2", "-o", str(tmp_path / "cli.xlsx"), "--json", str(out)])
    expected = json.loads(out.read_text(encoding="utf-8"))
    assert status["completeness"] == expected["completeness"]
    assert [(u["code"], u["status"]) for u in status["units"]] == [(u["code"], u["status"]) for u in expected["units"]]
    assert [(a["indicator"], a["value"], a["status"]) for a in status["aggregates"]] == \
        [(a["indicator"], a["value"], a["status"]) for a in expected["aggregates"]]
    page = client.get("/period?period=2026Q2").text
    received = sum(1 for u in expected["units"] if u["status"] == "received")
    assert f'id="n-on_time">{received}<' in page and "未报送" in page


@pytest.mark.slow
def test_downloads_have_chinese_names(tmp_path, returns):
    import openpyxl

    client = _client(tmp_path)
    client.post("/api/returns?period=2026Q2", files=_files(returns))
    leaders = client.get("/api/leaders.xlsx?period=2026Q2")
    assert leaders.status_code == 200
    disposition = leaders.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''%E6%B1%87%E6%80%BB_2026Q2.xlsx" in disposition
    disposition.encode("latin-1")  # the header itself is plain ASCII
    (tmp_path / "汇总.xlsx").write_bytes(leaders.content)
    assert "领导总览" in openpyxl.load_workbook(tmp_path / "汇总.xlsx", read_only=True).sheetnames
    feedback = zipfile.ZipFile(io.BytesIO(client.get("/api/feedback.zip?period=2026Q2").content))
    assert feedback.namelist() and all(name.endswith(".xlsx") for name in feedback.namelist())
    templates = zipfile.ZipFile(io.BytesIO(client.get("/api/templates.zip?period=2026Q2").content))
    assert len(templates.namelist()) >= 20
    one = client.get("/api/templates.zip?period=2026Q2&unit=DS-V01")
    assert one.status_code == 200 and "DS-V01_" in one.headers["content-disposition"]
    assert client.get("/api/templates.zip?period=2026Q2&unit=NOPE").status_code == 404
    assert client.get("/api/leaders.xlsx?period=2025Q4").status_code == 200  # nothing yet: everyone missing
    for page in ("/period", "/upload", "/downloads", "/indicators", "/plan"):
        assert client.get(f"{page}?period=2026Q2").status_code == 200
    assert "汇总" in client.get("/downloads?period=2026Q2").text
    assert "<svg" in client.get("/indicators?period=2026Q2").text  # the trend, drawn inline


# ------------------------------------------------------------------ the gate


def test_password_on_every_request(tmp_path):
    client = _client(tmp_path, password="机密-1", local_only=False)
    assert client.get("/period").status_code == 401
    assert "Basic" in client.get("/api/status").headers["www-authenticate"]
    good = "Basic " + base64.b64encode("任意:机密-1".encode()).decode()
    bad = "Basic " + base64.b64encode(b"x:wrong").decode()
    assert client.get("/period", headers={"Authorization": bad}).status_code == 401
    assert client.get("/period", headers={"Authorization": good}).status_code == 200


def test_non_local_host_needs_a_password(runner, monkeypatch, tmp_path):
    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: started.append(self.config))
    result = runner.invoke(cli, ["serve", "dingshan-2026", "--units", str(UNITS), "--db", str(tmp_path / "d.db"),
                                 "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "已生成密码" in result.output
    app = started[0].app
    assert app.password and not app.local_only
    client = TestClient(app, base_url="http://192.168.1.20:8765")
    assert client.get("/period").status_code == 401


def test_local_desk_refuses_other_host_names(tmp_path):
    client = _client(tmp_path)
    assert client.get("/period", headers={"Host": "evil.example"}).status_code == 403
    assert client.get("/period", headers={"Host": "localhost:8765"}).status_code == 200


def test_cross_site_post_refused(tmp_path, returns):
    client = _client(tmp_path)
    for headers in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/x"},
                    {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        answer = client.post("/api/returns?period=2026Q2", files=_files(returns[:1]), headers=headers)
        assert answer.status_code == 403 and "其他网站" in answer.json()["error"]
    ok = client.post("/api/returns?period=2026Q2", files=_files(returns[:1]), headers={"Origin": LOCAL})
    assert ok.status_code == 200
    # downloading the leaders' workbook records the summary: not from another site either
    assert client.get("/api/leaders.xlsx?period=2026Q2", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/period", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200  # a link to the desk


def test_too_large_is_413_in_chinese(tmp_path, returns):
    client = _client(tmp_path, max_size=1000, max_total=2**20)
    answer = client.post("/api/returns?period=2026Q2", files=_files(returns[:1]))
    assert answer.status_code == 413 and "上限" in answer.json()["error"]
    big = [("files", (f"{i}.xlsx", b"x" * 600_000)) for i in range(2)]
    answer = client.post("/api/returns?period=2026Q2", files=big)
    assert answer.status_code == 413 and "合计" in answer.json()["error"]


def test_upload_names_are_never_paths(tmp_path, returns):
    client = _client(tmp_path)
    data = returns[0].read_bytes()
    names = ["../../x.xlsx", "..\\..\\y.xlsx", "/etc/z.xlsx", "C:\\Windows\\CON.xlsx"]
    for name in names:
        assert client.post("/api/returns?period=2026Q2", files=[("files", (name, data + name.encode()))]).status_code == 200
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../../evil.xlsx", data)
    assert client.post("/api/returns?period=2026Q2", files=[("files", ("a.zip", buffer.getvalue()))]).status_code == 200
    store = tmp_path / "台账.db.uploads"
    inside = {p.name for p in store.rglob("*") if p.is_file()}
    assert {"x.xlsx", "y.xlsx", "z.xlsx", "_CON.xlsx"} <= inside
    outside = [p for p in tmp_path.parent.rglob("*.xlsx") if store not in p.parents and "returns" not in str(p)]
    assert not [p for p in outside if p.name in {"x.xlsx", "y.xlsx", "z.xlsx", "evil.xlsx"}]
    assert all(len(p.parent.name) == 64 for p in store.rglob("*.xlsx"))  # each in a folder named by its sha256


def test_safe_names_for_windows():
    from toolkit.desk import safe_name

    assert safe_name("..\\..\\报表.xlsx") == "报表.xlsx"
    assert safe_name("aux.xlsx") == "_aux.xlsx"
    assert safe_name('a:b?"c|.xlsx') == "a_b__c_.xlsx"
    assert safe_name("..") == "上传文件"
    assert safe_name("名. ") == "名"


def test_spawn_only_as_on_windows(tmp_path, returns, monkeypatch):
    """Windows has no forkserver: the desk's uploads are read by spawned workers."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    client = _client(tmp_path)
    answer = client.post("/api/returns?period=2026Q2", files=_files(returns[:2]))
    assert answer.status_code == 200 and len(answer.json()["files"]) == 2


def test_same_bytes_twice_one_copy_and_case_clash(tmp_path, returns):
    client = _client(tmp_path)
    data = returns[0].read_bytes()
    client.post("/api/returns?period=2026Q2", files=[("files", ("A.xlsx", data))])
    client.post("/api/returns?period=2026Q2", files=[("files", ("a.XLSX", data))])
    client.post("/api/returns?period=2026Q2", files=[("files", ("a.xlsx", returns[1].read_bytes()))])
    stored = [p for p in (tmp_path / "台账.db.uploads").rglob("*") if p.is_file()]
    assert len(stored) == 2  # names that clash on Windows never share a folder


def test_a_hostile_upload_costs_only_itself(tmp_path, returns):
    """A file that is not a workbook, a zip bomb's lying member, a non-return: each is
    answered for itself, and the good return in the same request is checked."""
    client = _client(tmp_path, max_size=2**20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("大.xlsx", b"\0" * (3 * 2**20))  # over the per-file limit once unpacked
        archive.writestr("说明.txt", "不是报表")
        archive.write(returns[1], returns[1].name)
    files = [("files", ("坏.xlsx", b"PK\x03\x04 not really a workbook")), ("files", (returns[0].name, returns[0].read_bytes())),
             ("files", ("包.zip", buffer.getvalue())), ("files", ("坏.zip", b"not a zip"))]
    answer = client.post("/api/returns?period=2026Q2", files=files)
    assert answer.status_code == 200
    got = answer.json()
    by_name = {f["path"]: f["status"] for f in got["files"]}
    assert by_name["坏.xlsx"] == "unrecognised"
    assert by_name[returns[0].name] in ("used", "rejected") and by_name[returns[1].name] in ("used", "rejected")
    skipped = {s["name"]: s["why"] for s in got["skipped"]}
    assert "上限" in skipped["大.xlsx"] and "不是报表" in skipped["说明.txt"] and "损坏" in skipped["坏.zip"]
    assert client.get("/api/stamp?period=2026Q2").status_code == 200


def test_period_status_from_the_ledger(tmp_path, returns):
    import toolkit

    received = toolkit.receive_uploads("dingshan-2026", [(p.name, p.read_bytes()) for p in returns], db=tmp_path / "l.db",
                                       units=UNITS, period="2026Q2")
    status = toolkit.period_status(tmp_path / "l.db", UNITS, "2026Q2", due="2099-01-01")
    used = sum(1 for f in received.report.files if f.status == "used")
    assert status["counts"]["on_time"] == used and status["counts"]["late"] == 0
    assert status["counts"]["missing"] == status["counts"]["expected"] - used - status["counts"]["rejected"]
    assert all(u["contact"] for u in status["units"])  # every unit with its contact
    late = toolkit.period_status(tmp_path / "l.db", UNITS, "2026Q2", due="2020-01-01")
    assert late["counts"]["late"] == used


@pytest.mark.slow
@pytest.mark.skipif(__import__("sys").platform == "win32", reason="SIGINT to a child process")
def test_serve_prints_the_address_and_stops_on_ctrl_c(tmp_path):
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "toolkit", "serve", "dingshan-2026", "--units", str(UNITS),
                                "--db", str(tmp_path / "台账.db"), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/plan") as page:
                    assert "计划" in page.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert f"http://127.0.0.1:{port}/" in out and "已停止" in out
    assert process.returncode == 0


def test_our_bug_is_told_from_your_file(tmp_path, monkeypatch):
    import toolkit.api

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setenv("TOOLKIT_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(toolkit.api, "period_status", broken)
    client = TestClient(create_app("dingshan-2026", UNITS, tmp_path / "台账.db"), base_url=LOCAL,
                        raise_server_exceptions=False)
    answer = client.get("/api/stamp")
    assert answer.status_code == 500 and "不是您的文件" in answer.json()["error"]


def test_zip_from_a_chinese_windows_keeps_its_names(tmp_path, returns):
    """Windows' own zip tool writes names in GBK without the UTF-8 flag."""
    buffer = io.BytesIO()
    placeholder = "abcdefgh.xlsx"  # as many bytes as the GBK name
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(placeholder, returns[0].read_bytes())
    gbk = "报表回收.xlsx".encode("gbk")
    assert len(gbk) == len(placeholder)
    data = buffer.getvalue().replace(placeholder.encode("ascii"), gbk)
    answer = _client(tmp_path).post("/api/returns?period=2026Q2", files=[("files", ("回收.zip", data))])
    assert [f["path"] for f in answer.json()["files"]] == ["报表回收.xlsx"]


def test_sparkline_points():
    from toolkit.desk import sparkline

    line = sparkline([("2025Q4", 3.0), ("2026Q1", None), ("2026Q2", 1.0)], width=108, height=28)
    assert line["points"] == "4.0,4.0 104.0,24.0"  # high at the top, the unknown period left out
    assert sparkline([("2026Q2", 5.0)])["dots"][0][1] == 18  # one figure: in the middle
    assert sparkline([("2026Q2", None)]) is None
