"""What needs the whole archive, computed once per index generation: identities (and duplicate groups)."""
