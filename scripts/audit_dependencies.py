"""`make lint`'s dependency audit: pip-audit over every package pinned in uv.lock.

Fails (exit 1) on a known vulnerability of a pinned version that has a fixed release;
one without any fix yet is printed as a warning (nothing to upgrade to). pip-audit asks
OSV (osv.dev) or, failing that, PyPI's per-release JSON, which carries the same advisory
database. Some machines reach only package registries and neither service answers there
(on this project's machines today: OSV's host does not resolve, and PyPI serves project
pages but not per-release JSON): the audit then says so and is skipped, exit 0, unless
AUDIT_REQUIRED=1 (e.g. in a CI that has the network).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OSV_QUERY = "https://api.osv.dev/v1/query"
PYPI_RELEASE = "https://pypi.org/pypi/{name}/{version}/json"


def _answers(request: urllib.request.Request | str) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - fixed https URLs
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def reachable_service(name: str, version: str) -> str | None:
    """"osv" or "pypi", whichever answers a query for this pinned package; None if neither."""
    query = json.dumps({"package": {"name": name, "ecosystem": "PyPI"},
                        "version": version}).encode()
    if _answers(urllib.request.Request(OSV_QUERY, data=query,
                                       headers={"Content-Type": "application/json"})):
        return "osv"
    if _answers(PYPI_RELEASE.format(name=name, version=version)):
        return "pypi"
    return None


def findings(report: dict[str, Any]) -> tuple[list[str], list[str]]:
    """pip-audit's JSON report -> (vulnerabilities with a fixed release, those without)."""
    fixable: list[str] = []
    unfixed: list[str] = []
    for dependency in report.get("dependencies", []):
        for vuln in dependency.get("vulns", []):
            line = f"{dependency['name']} {dependency['version']}: {vuln['id']}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(f"{line} (no fixed release yet)")
    return fixable, unfixed


def first_pin(requirements: str) -> tuple[str, str]:
    """The first `name==version` of an exported requirements file."""
    for line in requirements.splitlines():
        if "==" in line and not line.startswith(("#", " ")):
            name, _, rest = line.partition("==")
            return name.strip(), rest.split()[0].rstrip("\\").strip()
    raise SystemExit("uv export gave no pinned package")


def main() -> int:
    uv = ROOT / ".tools" / "bin" / "uv"
    exported = subprocess.run(  # noqa: S603 - the project's own pinned uv
        [str(uv), "export", "--frozen", "--format", "requirements-txt", "--no-emit-project",
         "--all-extras", "--quiet"], cwd=ROOT, capture_output=True, text=True, check=True)
    service = reachable_service(*first_pin(exported.stdout))
    if service is None:
        message = ("dependency audit skipped: neither OSV nor PyPI's per-release JSON "
                   "answers from this machine")
        print(message, file=sys.stderr)
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    with tempfile.TemporaryDirectory() as folder:
        requirements, report = Path(folder) / "requirements.txt", Path(folder) / "audit.json"
        requirements.write_text(exported.stdout)
        done = subprocess.run(  # noqa: S603 - pip-audit of this venv, fixed arguments
            [str(Path(sys.executable).parent / "pip-audit"), "-r", str(requirements),
             "--require-hashes", "--disable-pip", "--strict", "--vulnerability-service",
             service, "--progress-spinner", "off", "--format", "json",
             "--output", str(report)], capture_output=True, text=True, check=False)
        if not report.exists() or not report.read_text().strip():
            print(done.stderr, file=sys.stderr)
            return 1
        fixable, unfixed = findings(json.loads(report.read_text()))
    for line in unfixed:
        print(f"warning: {line}", file=sys.stderr)
    for line in fixable:
        print(f"vulnerable: {line}", file=sys.stderr)
    print(f"dependency audit ({service}): {len(fixable)} fixable, {len(unfixed)} unfixed")
    return 1 if fixable else 0


if __name__ == "__main__":
    sys.exit(main())
