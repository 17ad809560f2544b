import pytest

from fashionos.percontainer import reset_all


@pytest.fixture(autouse=True)
def _fresh_container() -> None:
    """Each test starts like a new Lambda container: no cached settings, clients, services or secrets."""
    reset_all()
