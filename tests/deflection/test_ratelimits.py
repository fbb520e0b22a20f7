"""The spacing the page's script keeps between suggestion requests stays under the server's limit."""

from __future__ import annotations

import pytest

from deflection.ratelimits import client_spacing_ms


@pytest.mark.parametrize(
    ("rate", "spacing"),
    [("60/m", 1250), ("20/m", 3750), ("5/5m", 75000), ("100/s", 13), ("1000/h", 4500), ("0/m", 0), ("junk", 0)],
)
def test_spacing_is_a_quarter_above_the_even_share(rate: str, spacing: int) -> None:
    assert client_spacing_ms(rate) == spacing


@pytest.mark.parametrize("limit", [5, 20, 60, 600])
def test_evenly_spaced_requests_never_fill_a_window(limit: int) -> None:
    # Requests spaced by the returned gap: at most floor(window / gap) + 1 fall in any one window.
    gap = client_spacing_ms(f"{limit}/m")
    assert 60_000 // gap + 1 <= limit
