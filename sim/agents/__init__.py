"""Agents of the crisis model: the unrest field, state actors, blocs and providers."""
