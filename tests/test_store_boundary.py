"""The backend boundary (store/): only store/whoosh imports Whoosh, only store/xapian imports Xapian, and
the search, the web, the CLI, the archive and the indexer reach a backend only through store's own
names. Read from the source, so a new import anywhere fails here."""
import ast
import importlib
import pickle
from array import array
from pathlib import Path

import searchapp

PACKAGE = Path(searchapp.__file__).parent
# What may name the Whoosh backend's modules: the store itself, the measurement of plain Whoosh as a
# peer (evaluate/), and the shim that lets indexes of earlier versions unpickle their analysis chain.
MAY_NAME_BACKEND = ("store/", "evaluate/", "analysis.py")


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), _imports(path)


def test_only_the_backends_import_their_engines():
    wrong = []
    for rel, names in _modules():
        for engine, home in (("whoosh", "store/whoosh/"), ("xapian", "store/xapian/")):
            if any(n == engine or n.startswith(engine + ".") for n in names) and not rel.startswith(home):
                wrong.append(f"{rel} imports {engine}")
    assert not wrong, wrong


def test_search_web_cli_archive_and_indexer_reach_a_backend_only_through_store():
    wrong = [f"{rel} imports {n}" for rel, names in _modules() if not rel.startswith(MAY_NAME_BACKEND)
             for n in names if n.startswith(("searchapp.store.whoosh", "searchapp.store.xapian"))]
    assert not wrong, wrong


def test_the_boundary_test_sees_imports(tmp_path):
    """The reader above finds every form of import (else the tests above could not fail)."""
    f = tmp_path / "m.py"
    f.write_text("import whoosh.index\nfrom whoosh import query as Q\nfrom searchapp.store.whoosh import snapshot\n"
                 "def f():\n    import xapian\n")
    assert {"whoosh.index", "whoosh", "searchapp.store.whoosh.snapshot", "xapian"} <= _imports(f)


def test_indexes_of_earlier_versions_find_their_pickled_classes():
    """Indexes written before store/whoosh existed pickled their schema's analysis chain under
    searchapp.analysis and their stored offsets under searchapp.store.schema."""
    from searchapp.store.whoosh import analysis

    old = importlib.import_module("searchapp.analysis")
    for name in ("NltkTokenizer", "NormalizeFilter", "NewsStopFilter", "NltkStemFilter"):
        assert getattr(old, name) is getattr(analysis, name)
    data = array("I", [3, 9]).tobytes() if array("I").itemsize == 4 else b""
    spans = pickle.loads(b"\x80\x03csearchapp.store.schema\n_spans\nC" + bytes([len(data)]) + data + b"\x85R.")
    assert list(spans) == [3, 9]
