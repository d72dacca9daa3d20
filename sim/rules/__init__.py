"""Decision rules: small pure functions of typed parameters and observed state, one module per role.

Each rule returns a :class:`Decision`: whether to act, the terms that decided it (the values
compared, the threshold crossed) and a one-line reason. Agents observe, call these rules and turn
the decisions into events; the rules know nothing of Mesa, countries or dates.

=============  =====================================================================
``common``     the decision type, thresholds reached or passed
``host``       concessions, the provider utility and the choice of provider
``provider``   legal basis, whether to intervene, delay, mission scope, staying
``rival``      domestic pressure
``neighbour``  the kind of statement
=============  =====================================================================
"""

from sim.rules.common import NO, Decision, reached, threshold_rule

__all__ = ["NO", "Decision", "reached", "threshold_rule"]
