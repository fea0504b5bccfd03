"""Safe output: atomic writes, and files written alongside in child processes."""

import os

import pytest

from toolkit.fileio import write_atomic, written_alongside


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out" / "汇总.csv"
    write_atomic(target, "单位,数值\n")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["汇总.csv"]


def test_files_written_alongside_are_there_after_the_block(tmp_path):
    parent = os.getpid()
    with written_alongside([(tmp_path / "a.csv", lambda: b"a" * 100_000),
                            (tmp_path / "b.csv", lambda: str(os.getpid() != parent))], fork=True):
        (tmp_path / "main.txt").write_text("main")
    assert (tmp_path / "a.csv").read_bytes() == b"a" * 100_000
    # written by another process where the system can fork
    assert (tmp_path / "b.csv").read_text() == ("True" if hasattr(os, "fork") else "False")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "main.txt"]


def test_a_failing_job_is_redone_here_and_its_error_raised(tmp_path):
    def broken():
        raise ValueError("cannot build the CSV")

    with pytest.raises(ValueError, match="cannot build the CSV"):
        with written_alongside([(tmp_path / "ok.csv", lambda: b"ok"), (tmp_path / "bad.csv", broken)], fork=True):
            pass
    assert (tmp_path / "ok.csv").read_bytes() == b"ok"
    assert not (tmp_path / "bad.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["ok.csv"]


def test_library_calls_never_fork_unless_asked(tmp_path):
    """Without fork=True (every library call a server makes) the files are written in this process."""
    parent = os.getpid()
    with written_alongside([(tmp_path / "who.txt", lambda: str(os.getpid()))]):
        assert not (tmp_path / "who.txt").exists()
    assert (tmp_path / "who.txt").read_text() == str(parent)


def test_text_in_pieces_is_written_as_it_comes(tmp_path):
    target = tmp_path / "out.json"
    write_atomic(target, (f"第{n}行\n" for n in range(3)))
    assert target.read_text(encoding="utf-8") == "第0行\n第1行\n第2行\n"

    def failing():
        yield "half"
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_atomic(target, failing())
    assert target.read_text(encoding="utf-8") == "第0行\n第1行\n第2行\n"  # the previous file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
