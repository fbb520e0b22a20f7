"""``make bench``: run every benchmark, save one JSON report under var/bench/, print a summary.

Each benchmark is a module under bench/ that prints one JSON object as the last thing on its
standard output. Benchmarks measure; they never pass or fail the test suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = {
    "search": ["bench.search", "--articles", "2000", "--queries", "100", "--budget", "60"],
    "agent_queue": ["bench.agent_queue"],
    "load": ["bench.load"],
}


def _last_json(output: str) -> dict:
    start = output.rfind("\n{")
    return json.loads(output[start + 1 if start >= 0 else output.index("{") :])


def main() -> None:
    report: dict[str, object] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for name, command in BENCHMARKS.items():
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            report[name] = {"error": result.stderr[-2000:]}
        else:
            report[name] = _last_json(result.stdout)
        print(f"{name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"\nReport written to {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
