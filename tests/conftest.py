import pytest

from fashionos.percontainer import reset_all


@pytest.fixture(autouse=True)
def _fresh_container() -> None:
    """Each test starts like a new Lambda container: no cached settings, clients, services or secrets."""
    reset_all()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fuzzing's counts (tests/e2e/test_fuzz.py records them), at the end of every run that fuzzed."""
    lines = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        for name, value in getattr(report, "user_properties", [])
        if name == "fuzz"
    ]
    if lines:
        terminalreporter.section("fuzzing")
        for line in lines:
            terminalreporter.line(str(line))
