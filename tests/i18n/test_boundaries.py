"""i18n/ is shared by both runtimes: it may import the standard library and Babel only."""

from __future__ import annotations

import sys

from tests.imports import imports_of, python_files


def test_i18n_uses_the_standard_library_and_babel_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__", "i18n", "babel"}
    offending = [
        str(item)
        for path in python_files("i18n")
        for item in imports_of(path)
        if item.module.split(".")[0] not in allowed
    ]
    assert not offending, offending
