"""Retries of a write that lost a race: jittered, growing pauses, bounded by the attempts allowed and by the
time the invocation has left (``retry.deadline``), which is the invocation's alone."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from fashionos import retry


@dataclass
class Clock:
    """``monotonic`` and ``sleep`` on a clock that moves only when slept on."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Context:
    clock: Clock
    ends_at: float

    def get_remaining_time_in_millis(self) -> int:
        return int((self.ends_at - self.clock.now) * 1000)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(retry, "monotonic", clock.monotonic)
    monkeypatch.setattr(retry, "sleep", clock.sleep)
    return clock


def test_outside_an_invocation_every_allowed_attempt_is_made_after_growing_capped_pauses(
    clock: Clock,
) -> None:
    assert list(retry.attempts(8, 0.01, 0.05)) == list(range(8))
    assert len(clock.slept) == 7  # none before the first
    caps = [0.02, 0.04, 0.05, 0.05, 0.05, 0.05, 0.05]  # 0.01 · 2^attempt, at most 0.05
    assert all(0 <= pause <= cap for pause, cap in zip(clock.slept, caps, strict=True))


def test_no_retry_starts_without_the_time_to_answer(clock: Clock) -> None:
    # given: an invocation with 4 s left, pauses of up to 0.3 s, attempts that take no time
    with retry.deadline(Context(clock, clock.now + 4)):
        made = list(retry.attempts(1000, 0.3, 0.3))
        # then: retries went on until the next would leave less than the reserve
        assert 1 < len(made) < 1000
        assert retry.seconds_left() >= retry.RESERVE_SECONDS
        assert retry.seconds_left() < retry.RESERVE_SECONDS + 0.3


def test_an_invocation_with_less_than_the_reserve_makes_one_attempt(clock: Clock) -> None:
    with retry.deadline(Context(clock, clock.now + retry.RESERVE_SECONDS / 2)):
        assert list(retry.attempts(5, 0.0, 0.0)) == [0]


def test_the_deadline_is_the_invocations_alone(clock: Clock) -> None:
    seen: list[float] = []
    with retry.deadline(Context(clock, clock.now + 5)):
        assert retry.seconds_left() == 5
        other = threading.Thread(target=lambda: seen.append(retry.seconds_left()))
        other.start()
        other.join()
    assert seen == [float("inf")]  # another thread's invocation does not share it
    assert retry.seconds_left() == float("inf")  # nor does what runs after it
