"""A rival power: domestic pressure when a kin state turns elsewhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import RivalParams


def domestic_pressure(
    previous: float,
    *,
    rival_troops: float,
    adversary_present: bool,
    passed_over: bool,
    p: RivalParams,
) -> float:
    """Next day's domestic pressure: decays, grows with a rival bloc's troops in a kin state."""
    troops = p.pressure_gain * rival_troops / 1000 * (1 + p.adversary_factor * adversary_present)
    return previous * (1 - p.pressure_decay) + troops + p.passed_over_gain * passed_over
