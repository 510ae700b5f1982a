"""Errors of the store that any backend may raise, named without naming the engine."""


class ShardUnavailable(RuntimeError):
    """A remote shard of the index cannot be reached (its message names the shard)."""
