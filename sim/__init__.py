"""crisis-sim: an agent-based simulator of crisis interventions, on Mesa."""

__version__ = "0.1.0"
