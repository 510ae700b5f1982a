"""Where indexes written before the backend split (store/whoosh) find their classes: their schema and
stored offsets were pickled under this module's name. Nothing imports from here."""


def __getattr__(name: str):
    from searchapp.store import pairs
    from searchapp.store.whoosh import schema

    for module in (schema, pairs):
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
