"""The browser's import of a big file, timed (a script, never a test).

What it does, in one run:

1. creates a temporary SQLite database (or uses `--database-url`, e.g. an empty
   PostgreSQL database), migrates it, and opens one campaign with a consultant's account;
2. writes a CSV (or, with `--xlsx`, a workbook) of `--rows` respondents (default
   100,000: the most one file may hold), answers varied over a few patterns;
3. goes through the pages as a browser does (a Flask test client): uploads the file
   (over IMPORT_INLINE_BYTES, so it is checked on the job queue: here the app's runner
   thread), follows the status until the preview is ready, confirms, follows the status
   until every response is stored;
4. prints the time of each step and the process's peak memory (VmHWM from
   /proc/self/status: interpreter, app, libraries, the file and every step), and exits 0.

Run:  .venv/bin/python bench/bench_import.py [--rows 100000] [--xlsx]
          [--database-url postgresql://postgres@127.0.0.1:5432/bench_import]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
ASSESSMENT = str(Path(sys.executable).with_name("assessment"))
PATTERNS = [
    {"seniority": "staff", "function": "marketing", "generation": "millennial", "country": "PL"},
    {"seniority": "manager", "function": "it", "generation": "gen_x", "country": "LV"},
    {"seniority": "senior_leader", "function": "finance", "generation": "", "country": ""},
]


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def answer_rows(questionnaire: Any, rows: int) -> tuple[list[str], list[list[str]]]:
    """The header and `rows` rows: every item answered, varied over the scales' codes."""
    items = list(questionnaire.items())
    header = [item.key for item in items]
    patterns = []
    for n in range(7):
        row = []
        for item in items:
            scale = questionnaire.scales[item.scale]
            codes = [option.code for option in scale.options
                     if not getattr(option, "exclusive", False)]
            if item.key in PATTERNS[0]:
                row.append(PATTERNS[n % 3][item.key])
            elif scale.kind == "multiple":
                row.append(";".join(codes[n % len(codes):n % len(codes) + 2]))
            else:
                row.append(codes[n % len(codes)])
        patterns.append(row)
    return header, [patterns[n % len(patterns)] for n in range(rows)]


def write_file(path: Path, header: list[str], rows: list[list[str]]) -> None:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def follow(client: Any, url: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    while True:
        status = client.get(url).json
        if status["status"] in statuses:
            return dict(status)
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="upload a workbook, not a CSV")
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        env = os.environ | {"DATABASE_URL": url, "REPORTS_DIR": str(Path(folder) / "reports")}
        env.pop("REDIS_URL", None)
        subprocess.run([ASSESSMENT, "db", "upgrade"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from assessment.app import create_app
        from assessment.config import sqlalchemy_url
        from assessment.extensions import db
        from assessment.operations.accounts import create_user, grant
        from assessment.operations.campaigns import open_campaign
        from assessment.operations.organisations import create_organisation

        app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "REDIS_URL": None,
                          "REPORTS_DIR": env["REPORTS_DIR"]})
        with app.app_context():
            questionnaire = app.extensions["questionnaires"].get("digiskills")
            organisation = create_organisation("Bench client", "Retail", "1000-4999", "PL")
            campaign = open_campaign(organisation, questionnaire, "Paper survey",
                                     dt.date.today() - dt.timedelta(days=30))
            user = create_user("consultant@bench.example")
            grant(user, "consultant", organisation)
            db.session.commit()
            campaign_id, session_id = campaign.id, user.get_id()
        path = Path(folder) / ("answers.xlsx" if options.xlsx else "answers.csv")
        started = time.perf_counter()
        write_file(path, *answer_rows(questionnaire, options.rows))
        print(f"file: {path.name}, {options.rows:,} rows, {path.stat().st_size / 2**20:.1f} MB "
              f"(written in {time.perf_counter() - started:.1f} s)")

        from werkzeug.datastructures import FileStorage
        from werkzeug.test import encode_multipart

        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
        page = client.get(f"/campaigns/{campaign_id}").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token
        with path.open("rb") as handle:
            boundary, body = encode_multipart({"csrf_token": token.group(1),
                                               "file": FileStorage(handle, path.name)})
        started = time.perf_counter()
        posted = client.post(f"/campaigns/{campaign_id}/imports", data=body,
                             content_type=f"multipart/form-data; boundary={boundary}")
        assert posted.status_code == 302, posted.status_code
        job_url = posted.headers["Location"]
        uploaded = time.perf_counter()
        checked = follow(client, job_url + "/status", ("ready", "rejected", "failed"))
        ready = time.perf_counter()
        assert checked["status"] == "ready", checked
        page = client.get(job_url).text
        digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page)
        assert digest
        confirmed = client.post(job_url + "/confirm", data={
            "csrf_token": token.group(1), "digest": digest.group(1)})
        assert confirmed.status_code == 302, confirmed.status_code
        done = follow(client, job_url + "/status", ("done", "rejected", "failed"))
        finished = time.perf_counter()
        assert done["status"] == "done" and done["stored"] == options.rows, done
        print(f"upload (request): {uploaded - started:.1f} s")
        print(f"check on the queue until the preview: {ready - uploaded:.1f} s")
        print(f"confirm and store on the queue: {finished - ready:.1f} s")
        print(f"total: {finished - started:.1f} s for {options.rows:,} responses "
              f"({options.rows / (finished - started):,.0f} rows/s)")
        print(f"peak memory (VmHWM): {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
