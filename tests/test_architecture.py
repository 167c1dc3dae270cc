"""The house's rules that a test can check: the pure engine loads without Flask, and the
CLI's light commands do not load the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT


def _loaded_after(code: str) -> set[str]:
    """Top-level modules loaded by a fresh interpreter after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize("module", [
    "assessment.instrument.scoring", "assessment.stats.descriptive",
    "assessment.analysis.statistics",
])
def test_the_pure_engine_does_not_import_flask(module: str) -> None:
    loaded = _loaded_after(f"import {module}")
    assert "assessment" in loaded
    assert not loaded & {"flask", "flask_sqlalchemy", "werkzeug", "reports"}


def test_building_the_app_does_not_load_the_heavy_libraries() -> None:
    # What every CLI command pays for: matplotlib, WeasyPrint, scipy and openpyxl are
    # loaded only by the commands (and pages) that use them.
    loaded = _loaded_after("from assessment.app import create_app\ncreate_app()")
    assert "flask" in loaded
    assert not loaded & {"matplotlib", "weasyprint", "scipy", "openpyxl", "numpy"}
