"""toolkit.bulk: fewer collections during a run, the process's threshold put back after."""

import gc
import threading

from toolkit.bulk import BULK_THRESHOLD, bulk, bulk_work


def test_inside_bulk_the_young_generation_waits_for_more_objects_and_the_threshold_is_put_back():
    before = gc.get_threshold()
    with bulk():
        assert gc.get_threshold()[0] == max(before[0], BULK_THRESHOLD)
        assert gc.get_threshold()[1:] == before[1:]
        with bulk():  # nested: still raised
            assert gc.get_threshold()[0] == max(before[0], BULK_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], BULK_THRESHOLD)
    assert gc.get_threshold() == before


def test_a_run_that_fails_inside_bulk_still_puts_the_threshold_back():
    before = gc.get_threshold()

    @bulk_work
    def failing():
        raise ValueError("boom")

    try:
        failing()
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_overlapping_runs_in_two_threads_put_back_the_threshold_only_when_both_have_left():
    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with bulk():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with bulk():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = gc.get_threshold()[0]

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen["after the first left"] == max(before[0], BULK_THRESHOLD)
    assert gc.get_threshold() == before
