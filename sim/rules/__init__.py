"""Decision rules: small pure functions of typed parameters and observed state, one module per role.

Each rule returns a :class:`Decision`: whether to act, the terms that decided it (the values
compared, the threshold crossed) and a one-line reason. Agents observe, call these rules and turn
the decisions into events; the rules know nothing of Mesa, countries or dates.

=============  =====================================================================
``common``     the decision type, thresholds reached or passed
``host``       concessions, framing, what to ask and of whom, the troop need
``provider``   a provider's utility, rung costs, latency, scope, statements, staying
``ladder``     the response ladder: rungs open, the rung to take
``legal``      legal basis from the treaties in force
``public``     a state's public pressure
=============  =====================================================================
"""

from sim.rules.common import NO, Decision, reached, threshold_rule

__all__ = ["NO", "Decision", "reached", "threshold_rule"]
