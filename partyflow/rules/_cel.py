"""The compiled core of the ``cel`` package, without its command line.

``cel/__init__.py`` also imports ``cel.cli`` (typer, rich, prompt_toolkit, pygments: most of
the cost of ``import cel``); partyflow needs only the Rust extension ``cel.cel``, so it loads
that module by itself unless the package is already imported.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from types import ModuleType


def _core() -> ModuleType:
    if "cel" in sys.modules:  # someone imported the whole package: use it
        return sys.modules["cel"]
    if "cel.cel" in sys.modules:
        return sys.modules["cel.cel"]
    package = importlib.util.find_spec("cel")  # finds the package without running it
    if package is None or not package.submodule_search_locations:
        raise ImportError("the cel package (common-expression-language) is not installed")
    finder = importlib.machinery.FileFinder(
        package.submodule_search_locations[0],
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES))
    spec = finder.find_spec("cel.cel")
    if spec is None or spec.loader is None:
        import cel  # an unusual layout: pay for the whole package

        return cel
    module = importlib.util.module_from_spec(spec)
    sys.modules["cel.cel"] = module
    spec.loader.exec_module(module)
    return module


cel = _core()
