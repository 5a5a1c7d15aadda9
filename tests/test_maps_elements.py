"""Tests of koreathaw.maps.elements and of the package's shape: module-level classes, pickling, imports downwards."""

from __future__ import annotations

import ast
import inspect
import pickle
from pathlib import Path

import folium

import koreathaw as kt
from koreathaw.maps import elements

PACKAGE = Path(elements.__file__).resolve().parent
# lowest first: a module may import only the ones before it
ORDER = ["_base", "assets", "elements", "_layout", "_markers", "builders", "output", "__init__"]


def test_element_classes_are_module_level_and_documented():
    """Every element class lives at module level of koreathaw.maps.elements, with a docstring."""
    for name in elements.__all__:
        cls = getattr(elements, name)
        assert inspect.isclass(cls), name
        assert cls.__module__ == "koreathaw.maps.elements" and cls.__qualname__ == name, cls.__qualname__
        assert cls.__doc__ and len(cls.__doc__.strip()) > 20, name


def test_a_course_map_pickles_and_renders_the_same():
    """A map of the course (its elements included) survives pickle and renders to the same page."""
    m = kt.events_map(kt.load_events().iloc[:20])
    copy = pickle.loads(pickle.dumps(m))
    assert copy.get_root().render() == m.get_root().render()
    assert kt.markers_table(copy).equals(kt.markers_table(m))


def test_an_element_pickles_alone():
    """A single element (a popup) pickles by reference to its class and keeps its text."""
    popup = pickle.loads(pickle.dumps(elements.HtmlPopup("<b>Geneva</b>")))
    assert type(popup) is elements.HtmlPopup and popup.html == "<b>Geneva</b>"


def _package_imports(path: Path) -> set[str]:
    """The modules of koreathaw.maps that ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("koreathaw.maps."):
                found.add(node.module.split(".")[2])
            elif node.module == "koreathaw.maps":
                found.update(alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists())
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("koreathaw.maps."))
    return found


def test_imports_inside_the_package_only_run_downwards():
    """No module imports one above it (no import circle): _base <- assets <- elements <- _layout <- _markers <- builders, output."""
    assert sorted(p.stem for p in PACKAGE.glob("*.py")) == sorted(ORDER)
    upward = []
    for rank, name in enumerate(ORDER):
        for imported in _package_imports(PACKAGE / f"{name}.py"):
            if imported not in ORDER[:rank]:
                upward.append(f"{name} imports {imported}")
    assert upward == []


def test_only_elements_imports_folium_at_module_level():
    """Folium is imported at the top of elements.py only; every other module imports it inside a function."""
    tops = {}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
        tops[path.stem] = names & {"folium", "branca", "jinja2"}
    assert {k: v for k, v in tops.items() if v} == {"elements": {"folium", "branca"}}


def test_cluster_group_is_a_layer_of_the_layer_control():
    """A cluster layer is a FeatureGroup (the layer control and markers_table see it) drawn by markercluster."""
    group = elements.ClusterGroup("talks (3)")
    assert isinstance(group, folium.FeatureGroup) and group.layer_name == "talks (3)"
    assert group.options["chunkedLoading"] is True
