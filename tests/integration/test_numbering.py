"""Numbers handed out by core.numbering: unique and gap-free, even under concurrency and rollbacks."""

from __future__ import annotations

from core import db
from core.actor import SYSTEM
from core.numbering import format_number, reserve
from tests.threads import run_in_threads as run_threads

THREADS = 8
PER_THREAD = 10


def run_in_threads(work) -> list:
    return run_threads(work, THREADS)


def take(series: str = "orders", count: int = 1, commit: bool = True) -> int:
    with db.writing(SYSTEM) as session:
        number = reserve(session, series, count)
        if commit:
            session.commit()
    return number


# --- Sequence ----------------------------------------------------------------------------


def test_the_first_number_of_a_series_is_one_and_each_next_is_one_more(store):
    assert [take() for _ in range(3)] == [1, 2, 3]


def test_a_block_reservation_returns_its_first_number_and_the_next_follows_it(store):
    assert take(count=5) == 1
    assert take() == 6


def test_series_are_numbered_independently(store):
    take("customers")
    take("customers")
    assert take("orders-2025") == 1
    assert take("customers") == 3


# --- Rollback ----------------------------------------------------------------------------


def test_a_rolled_back_transaction_gives_its_number_back(store):
    assert take() == 1
    assert take(commit=False) == 2
    assert take() == 2


# --- Concurrency -------------------------------------------------------------------------


def test_concurrent_transactions_get_unique_gap_free_numbers(store):
    def work(_index: int) -> list[int]:
        return [take() for _ in range(PER_THREAD)]

    numbers = [n for chunk in run_in_threads(work) for n in chunk]
    assert sorted(numbers) == list(range(1, THREADS * PER_THREAD + 1))


def test_concurrent_committed_numbers_stay_gap_free_when_some_transactions_roll_back(store):
    def work(index: int) -> list[int]:
        kept = []
        for i in range(PER_THREAD):
            commit = (index + i) % 3 != 0
            number = take(commit=commit)
            if commit:
                kept.append(number)
        return kept

    kept = [n for chunk in run_in_threads(work) for n in chunk]
    assert sorted(kept) == list(range(1, len(kept) + 1))
    assert take() == len(kept) + 1


def test_concurrent_block_reservations_never_overlap(store):
    def work(_index: int) -> list[range]:
        blocks = []
        for _ in range(PER_THREAD // 2):
            first = take(count=3)
            blocks.append(range(first, first + 3))
        return blocks

    numbers = [n for chunk in run_in_threads(work) for block in chunk for n in block]
    assert sorted(numbers) == list(range(1, THREADS * (PER_THREAD // 2) * 3 + 1))


# --- Formatting --------------------------------------------------------------------------


def test_format_number_pads_to_six_digits_after_the_prefix():
    assert format_number("CU", 1) == "CU-000001"
    assert format_number("CU", 123456) == "CU-123456"


def test_format_number_puts_the_year_between_prefix_and_number():
    assert format_number("SO", 42, year=2025) == "SO-2025-000042"


def test_format_number_honours_a_width_and_never_truncates():
    assert format_number("INV", 7, width=3) == "INV-007"
    assert format_number("CU", 1234567) == "CU-1234567"
