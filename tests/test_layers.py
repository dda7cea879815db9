"""Static checks of the house rules: imports flow dashboard -> privacy -> data, noise comes only from OpenDP.

Each rule is an `ast` walk over the real tree, and each is also run on a planted offending source string,
so a checker that silently matches nothing fails its own test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("dashboard", "privacy", "data")

FORBIDDEN_IMPORTS = {
    "dashboard": ("data", "opendp"),
    "privacy": ("streamlit", "dashboard"),
    "data": ("streamlit", "privacy", "dashboard", "opendp"),
}
"""Layer -> top-level modules it must not import: dashboard -> privacy -> data, OpenDP only in privacy."""

NOISE_FREE = ("dashboard", "privacy")
"""Layers where every random number must come from OpenDP's CSPRNG, never `random` or numpy."""

WEAKENING_FEATURES = frozenset({"floating-point", "idealized-numerics", "honest-but-curious"})
"""OpenDP flags that void its guarantees; tests may use them, shipped code never."""


def imported_modules(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Absolute names of every module `tree` imports (relative imports resolved against `module`).

    `from numpy import random` yields `numpy.random`, so a submodule imported by name is caught.
    Dynamic imports with a literal name (`importlib.import_module("opendp")`) count too.
    """
    package = module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            parent = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, parent))
            found += [(node.lineno, f"{parent}.{alias.name}") for alias in node.names if alias.name != "*"]
        elif _is_dynamic_import(node):
            found.append((node.lineno, node.args[0].value))
    return found


def layer_violations(source: str, module: str) -> list[str]:
    """Imports that cross the layer rules for `module` (e.g. 'dashboard.views.trend')."""
    layer = module.split(".")[0]
    banned = FORBIDDEN_IMPORTS.get(layer, ())
    return [
        f"{module}:{line} imports {name}"
        for line, name in imported_modules(ast.parse(source), module)
        if name.split(".")[0] in banned
    ]


def noise_violations(source: str, module: str) -> list[str]:
    """Any use of `random` or `numpy.random` in a noise-free layer: imports, and attribute chains.

    Attribute chains catch `np.random.laplace(...)` under any alias of numpy, and calls through a
    name imported from `numpy.random` are caught at the import.
    """
    if module.split(".")[0] not in NOISE_FREE:
        return []
    tree = ast.parse(source)
    found = [
        f"{module}:{line} imports {name}"
        for line, name in imported_modules(tree, module)
        if name == "random" or name.startswith("random.") or _is_numpy_random(name)
    ]
    numpy_names = {"numpy", "np"} | _numpy_aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "random":
            root = _dotted(node.value)
            if root in numpy_names:
                found.append(f"{module}:{node.lineno} uses {root}.random")
    return found


def feature_violations(source: str, module: str) -> list[str]:
    """`enable_features` calls outside tests that switch on a weakening flag, or a flag we cannot read.

    A non-literal argument (a variable, `*flags`) is flagged too: what cannot be read cannot be checked.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _dotted(node.func).split(".")[-1] == "enable_features"):
            continue
        for arg in node.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                found.append(f"{module}:{node.lineno} enables a feature it does not name literally")
            elif arg.value in WEAKENING_FEATURES:
                found.append(f"{module}:{node.lineno} enables {arg.value}")
    return found


def html_violations(source: str, module: str) -> list[str]:
    """Any `unsafe_allow_html=` in the dashboard that is not literally False."""
    if module.split(".")[0] != "dashboard":
        return []
    return [
        f"{module}:{node.lineno} passes unsafe_allow_html"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.keyword)
        and node.arg == "unsafe_allow_html"
        and not (isinstance(node.value, ast.Constant) and node.value.value is False)
    ]


def shipped_modules() -> list[tuple[str, Path]]:
    """Every .py file of the repository outside tests and tool folders, with its dotted module name."""
    skip = {"tests", ".venv", ".git", "node_modules", "__pycache__"}
    paths = [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]
    return [(".".join(p.relative_to(ROOT).with_suffix("").parts), p) for p in sorted(paths)]


def layer_modules() -> list[tuple[str, Path]]:
    return [(name, path) for name, path in shipped_modules() if name.split(".")[0] in LAYERS]


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    return ".".join(reversed(parts))


def _is_dynamic_import(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and _dotted(node.func) in {"importlib.import_module", "__import__"}
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _is_numpy_random(name: str) -> bool:
    return name == "numpy.random" or name.startswith("numpy.random.")


def _numpy_aliases(tree: ast.AST) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "numpy"
    }


def _all_violations(check: object, modules: list[tuple[str, Path]]) -> list[str]:
    return [v for name, path in modules for v in check(path.read_text(encoding="utf-8"), name)]


def test_the_layers_exist() -> None:
    """The walks below would pass vacuously over an empty tree."""
    names = {name.split(".")[0] for name, _ in layer_modules()}
    assert names == set(LAYERS)


def test_imports_flow_dashboard_to_privacy_to_data() -> None:
    """The dashboard sees only releases; privacy and data never draw UI; data knows nothing above it."""
    assert _all_violations(layer_violations, layer_modules()) == []


def test_no_noise_from_numpy_or_random_in_privacy_or_dashboard() -> None:
    """Non-cryptographic noise with float tricks breaks DP; every draw must come from OpenDP."""
    assert _all_violations(noise_violations, layer_modules()) == []


def test_no_weakening_opendp_feature_outside_tests() -> None:
    """`floating-point`, `idealized-numerics` and `honest-but-curious` void OpenDP's proofs."""
    assert _all_violations(feature_violations, shipped_modules()) == []


def test_dashboard_never_allows_unsafe_html() -> None:
    """Member and device names are hostile input: Streamlit must escape everything it draws."""
    assert _all_violations(html_violations, layer_modules()) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("dashboard.views.trend", "import data.store"),
        ("dashboard.views.trend", "from data import store"),
        ("dashboard.views.trend", "from ...data.store import load"),
        ("dashboard.app", "import opendp.prelude as dp"),
        ("dashboard.app", "from opendp.mod import enable_features"),
        ("dashboard.app", "import importlib\nimportlib.import_module('opendp.prelude')"),
        ("privacy.engine", "import streamlit as st"),
        ("privacy.engine", "from dashboard import theme"),
        ("privacy.engine", "def f():\n    from streamlit import cache_data"),
        ("data.store", "from streamlit import session_state"),
        ("data.store", "import privacy.ledger"),
        ("data.store", "from ..privacy import ledger"),
        ("data.store", "from ..dashboard import theme"),
        ("data.store", "import opendp.prelude as dp"),
    ],
)
def test_layer_check_catches_a_crossing(module: str, source: str) -> None:
    """Each planted crossing is reported, so the real-tree check above can fail."""
    assert layer_violations(source, module)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("dashboard.app", "from privacy.release import Release\nimport privacy"),
        ("privacy.engine", "import opendp.prelude as dp\nfrom data.store import Store\nfrom . import grid"),
        ("data.store", "import polars as pl\nfrom .model import Row"),
    ],
)
def test_layer_check_allows_downward_imports(module: str, source: str) -> None:
    """The check is not so blunt that it forbids the arrows the design allows."""
    assert layer_violations(source, module) == []


@pytest.mark.parametrize(
    "source",
    [
        "import random",
        "import random as r",
        "from random import gauss",
        "import numpy.random",
        "from numpy import random",
        "from numpy.random import default_rng",
        "import numpy as np\nx = np.random.laplace(0, 1)",
        "import numpy as xp\nrng = xp.random.default_rng()",
        "import numpy\nnumpy.random.seed(1)",
        "def f(np):\n    return np.random.normal()",
    ],
)
def test_noise_check_catches_non_opendp_randomness(source: str) -> None:
    """Each planted non-OpenDP random source is reported in privacy and in the dashboard."""
    assert noise_violations(source, "privacy.engine")
    assert noise_violations(source, "dashboard.views.trend")


def test_noise_check_allows_numpy_arithmetic() -> None:
    """numpy for reshaping and sums is fine; only its random module is banned."""
    assert noise_violations("import numpy as np\nx = np.zeros(3).sum()", "privacy.engine.grid") == []


@pytest.mark.parametrize(
    "source",
    [
        'import opendp.prelude as dp\ndp.enable_features("contrib", "floating-point")',
        'import opendp.prelude as dp\ndp.enable_features("honest-but-curious")',
        'from opendp.mod import enable_features\nenable_features("idealized-numerics")',
        "import opendp.prelude as dp\nFLAGS = ['contrib']\ndp.enable_features(*FLAGS)",
    ],
)
def test_feature_check_catches_weakening_flags(source: str) -> None:
    """Each planted weakening (or unreadable) flag is reported."""
    assert feature_violations(source, "privacy.engine.plans")


def test_feature_check_allows_contrib() -> None:
    """`contrib` is what the engine needs and is allowed."""
    source = 'import opendp.prelude as dp\ndp.enable_features("contrib")'
    assert feature_violations(source, "privacy.engine.plans") == []


@pytest.mark.parametrize(
    "source",
    [
        "import streamlit as st\nst.markdown(name, unsafe_allow_html=True)",
        "import streamlit as st\nst.write(name, unsafe_allow_html=flag)",
        "from streamlit import markdown\nmarkdown(name, unsafe_allow_html=1)",
    ],
)
def test_html_check_catches_unsafe_html(source: str) -> None:
    """Each planted unsafe_allow_html that is not literally False is reported."""
    assert html_violations(source, "dashboard.views.trend")


def test_html_check_allows_explicit_false() -> None:
    """Spelling out the safe default is fine."""
    source = "import streamlit as st\nst.markdown(t, unsafe_allow_html=False)"
    assert html_violations(source, "dashboard.app") == []
