"""Choosing a technician: free slots on the quarter hour, conflicts, and the choice with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.dispatching import Booking, Candidate, choose, conflict, free_slot, in_both_languages, on_shift
from core.i18n import Bilingual, translate

DAY = datetime(2026, 3, 10, tzinfo=UTC)
AREA, OTHER_AREA = 1, 2
AREA_NAME = Bilingual("Xuhui", "徐汇区")


def h(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def tech(
    staff_id: int = 1,
    name: str = "Liu",
    areas: tuple[int, ...] = (AREA,),
    skills: tuple[str, ...] = ("carpet",),
    shifts: tuple[tuple[datetime, datetime], ...] = ((h(8), h(18)),),
    bookings: tuple[Booking, ...] = (),
) -> Candidate:
    return Candidate(staff_id, name, frozenset(areas), frozenset(skills), shifts, bookings)


def booking(start: datetime, end: datetime, number: str = "SO-2026-000001") -> Booking:
    return Booking(start, end, number)


def pick(candidates, skills=("carpet",), earliest=None, latest=None, minutes=60):
    return choose(
        candidates,
        area_id=AREA,
        area=AREA_NAME,
        skills=frozenset(skills),
        earliest=earliest or h(9),
        latest_start=latest or h(12),
        minutes=minutes,
        local_time=lambda moment: moment.strftime("%H:%M"),
    )


# --- Conflicts and shifts ----------------------------------------------------------------


def test_an_overlapping_booking_is_a_conflict():
    held = booking(h(9), h(10))
    assert conflict([held], h(9, 30), h(10, 30)) == held
    assert conflict([held], h(8, 30), h(9, 15)) == held
    assert conflict([held], h(8), h(11)) == held


def test_back_to_back_jobs_do_not_conflict():
    held = booking(h(9), h(10))
    assert conflict([held], h(10), h(11)) is None
    assert conflict([held], h(8), h(9)) is None


def test_the_first_overlapping_booking_is_named():
    first, second = booking(h(9), h(10), "SO-1"), booking(h(10), h(11), "SO-2")
    assert conflict([first, second], h(9, 30), h(10, 30)) == first
    assert conflict([first, second], h(10, 15), h(10, 30)) == second


def test_no_bookings_means_no_conflict():
    assert conflict([], h(9), h(10)) is None


def test_a_job_is_on_shift_only_if_it_fits_entirely_inside_one_shift():
    shifts = [(h(8), h(12)), (h(13), h(17))]
    assert on_shift(shifts, h(8), h(12))
    assert not on_shift(shifts, h(11), h(13))  # spans the break
    assert not on_shift(shifts, h(7, 45), h(8, 45))


# --- Free slots --------------------------------------------------------------------------


def test_the_first_free_slot_is_the_earliest_time_on_a_quarter_hour():
    assert free_slot(tech(), h(9), h(12), 60) == h(9)
    assert free_slot(tech(), h(9, 5), h(12), 60) == h(9, 15)
    assert free_slot(tech(), h(9, 15).replace(second=1), h(12), 60) == h(9, 30)


def test_a_slot_starts_no_earlier_than_the_shift():
    assert free_slot(tech(shifts=((h(10), h(18)),)), h(9), h(12), 60) == h(10)


def test_a_job_must_end_by_the_end_of_the_shift():
    shifted = tech(shifts=((h(8), h(10)),))
    assert free_slot(shifted, h(9), h(12), 60) == h(9)
    assert free_slot(shifted, h(9, 15), h(12), 60) is None


def test_a_slot_goes_around_bookings():
    booked = tech(bookings=(booking(h(9), h(10)), booking(h(10, 30), h(11))))
    assert free_slot(booked, h(9), h(12), 60) == h(11)
    assert free_slot(booked, h(9), h(12), 30) == h(10)


def test_the_latest_start_is_inclusive():
    booked = tech(bookings=(booking(h(9), h(12)),))
    assert free_slot(booked, h(9), h(12), 60) == h(12)
    assert free_slot(booked, h(9), h(11, 45), 60) is None


def test_nobody_off_shift_has_a_free_slot():
    assert free_slot(tech(shifts=()), h(9), h(12), 30) is None
    assert free_slot(tech(shifts=((h(13), h(18)),)), h(9), h(12), 30) is None


# --- The choice --------------------------------------------------------------------------


def test_the_technician_with_the_least_booked_time_wins():
    busy = tech(1, "Busy", bookings=(booking(h(13), h(15)),))
    light = tech(2, "Light", bookings=(booking(h(13), h(14)),))
    chosen = pick([busy, light])
    assert chosen is not None and chosen.staff_id == 2
    assert (chosen.start, chosen.end) == (h(9), h(10))


def test_a_technician_outside_the_area_is_not_chosen():
    chosen = pick([tech(1, "Away", areas=(OTHER_AREA,)), tech(2, "Local", bookings=(booking(h(14), h(17)),))])
    assert chosen is not None and chosen.staff_id == 2


def test_a_technician_without_every_skill_is_not_chosen():
    partial = tech(1, "Partial", skills=("carpet",))
    complete = tech(2, "Complete", skills=("carpet", "leather", "stain"), bookings=(booking(h(14), h(17)),))
    chosen = pick([partial, complete], skills=("carpet", "leather"))
    assert chosen is not None and chosen.staff_id == 2


def test_a_technician_off_shift_or_fully_booked_in_the_window_is_not_chosen():
    off = tech(1, "Off", shifts=((h(13), h(18)),))
    full = tech(2, "Full", bookings=(booking(h(8), h(14)),))
    free = tech(3, "Free", bookings=(booking(h(14), h(18)),))
    chosen = pick([off, full, free])
    assert chosen is not None and chosen.staff_id == 3


def test_a_tie_on_booked_time_goes_to_the_earlier_free_slot_then_to_the_name():
    later = tech(1, "Aaron", bookings=(booking(h(9), h(10)),))
    sooner = tech(2, "Zed", bookings=(booking(h(14), h(15)),))
    assert pick([later, sooner]).staff_id == 2
    assert pick([tech(1, "Zhou"), tech(2, "Chen")]).staff_id == 2


def test_nobody_eligible_gives_no_assignment():
    assert pick([]) is None
    assert pick([tech(1, areas=(OTHER_AREA,)), tech(2, skills=("window",)), tech(3, shifts=())]) is None


def test_the_reason_names_the_technician_area_time_booked_minutes_and_how_many_could_take_it():
    chosen = pick(
        [
            tech(1, "Liu", bookings=(booking(h(14), h(15)),)),
            tech(2, "Wang", areas=(OTHER_AREA,)),
            tech(3, "Chen", bookings=(booking(h(14), h(16)),)),
        ]
    )
    text = translate(chosen.reason, "en")
    assert text.startswith("Liu:")
    assert "Xuhui" in text and "09:00" in text and "60 min" in text
    assert "the least of the 2 technicians" in text


def test_the_reason_is_kept_in_both_languages():
    reasons = in_both_languages(pick([tech(1, "刘强")]).reason)
    assert set(reasons) == {"en", "zh"}
    assert "刘强" in reasons["zh"] and "徐汇区" in reasons["zh"] and "1 位" in reasons["zh"]
    assert "Xuhui" in reasons["en"]


def test_the_assignment_lasts_the_job_s_minutes():
    chosen = pick([tech()], minutes=95)
    assert chosen.end - chosen.start == timedelta(minutes=95)
