"""What needs the whole archive, computed once per index generation: identities (who is who), duplicate
groups (syndicated copies of one story) and quote groups (one quote repeated in many articles)."""
