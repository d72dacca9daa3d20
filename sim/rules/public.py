"""A state's public: pressure when a kin host turns to a rival, or a rival's troops arrive."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import ProviderRules


def pressure(
    previous: float,
    *,
    kin_public: float,
    rival_troops: float,
    adversary_present: bool,
    passed_over: bool,
    p: ProviderRules,
) -> float:
    """Next day's public pressure.

    Decays; grows with rival troops in a kin state, more so with an adversary's among them, and when
    the kin state asks a rival instead.
    """
    troops = p.pressure_gain * rival_troops / 1000 * (1 + p.adversary_factor * adversary_present)
    return previous * (1 - p.pressure_decay) + kin_public * (
        troops + p.passed_over_gain * passed_over
    )
