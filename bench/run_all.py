"""``make bench``: run every benchmark, save one JSON report (and its summary) under var/bench/.

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
    "long_articles": ["bench.long_articles", "--copies", "3", "--drafts", "200"],
    "agent_queue": ["bench.agent_queue"],
    "load": ["bench.load"],
}


def _last_json(output: str) -> dict:
    start = output.rfind("\n{")
    return json.loads(output[start + 1 if start >= 0 else output.index("{") :])


def summary(report: dict) -> list[str]:
    """A few lines a person reads: the headline figures of each benchmark (or why it failed)."""
    lines = [f"Benchmarks started {report['started']}"]
    for name in BENCHMARKS:
        result = report.get(name, {})
        if "error" in result:
            lines.append(f"{name}: FAILED, see the JSON report")
            continue
        try:
            lines.append(_headline(name, result))
        except (KeyError, TypeError, ValueError):  # a benchmark that printed less than usual
            lines.append(f"{name}: incomplete result, see the JSON report")
    return lines


def _headline(name: str, result: dict) -> str:
    """One benchmark's figures in a sentence."""
    if name == "search":
        short, long = result["short"], result["long"]
        return (
            f"search ({result['engine']}, {result['articles']} articles): short queries p50 "
            f"{short['ours']['p50_ms']} ms / p95 {short['ours']['p95_ms']} ms "
            f"(Wagtail's database search p50 {short['wagtail']['p50_ms']} ms); long drafts p50 "
            f"{long['ours']['p50_ms']} ms (Wagtail {long['wagtail']['p50_ms']} ms); "
            f"indexing {result['index']['engine_documents_per_second']} documents/s"
        )
    if name == "long_articles":
        drafts, index = result["drafts"], result["index"]
        return (
            f"long articles ({result['engine'].split(':')[0]}, {result['articles']} articles, median "
            f"{result['median_body_chars']} characters): drafts p50/p95/p99 "
            + "; ".join(
                f"{language} {figures['p50_ms']}/{figures['p95_ms']}/{figures['p99_ms']} ms"
                for language, figures in drafts.items()
            )
            + f"; indexing {index['articles_per_second']} articles/s ({index['documents_per_second']} documents/s, "
            f"{index['articles_per_cpu_second']} articles per CPU second); CPU per draft p50/p95 "
            + "; ".join(
                f"{language} {figures['p50_ms']}/{figures['p95_ms']} ms"
                for language, figures in result["drafts_cpu"].items()
            )
        )
    if name == "agent_queue":
        return (
            f"agent queue ({result['tickets']} tickets): slowest list view median "
            f"{result['slowest_median_ms']} ms, {max(v['queries'] for v in result['views'].values())} queries"
        )
    suggest, create = result["suggest"], result["ticket_create"]
    return (
        f"load ({result['backend']}, concurrency {suggest['concurrency']}): suggestions "
        f"{suggest['throughput_rps']} req/s, p50/p95/p99 {suggest['p50_ms']}/{suggest['p95_ms']}/"
        f"{suggest['p99_ms']} ms; ticket creation {create['throughput_rps']} req/s, p50/p95/p99 "
        f"{create['p50_ms']}/{create['p95_ms']}/{create['p99_ms']} ms; {result['tickets_accepted']} "
        f"accepted, {result['tickets_acknowledged']} acknowledged, {result['lost']} lost"
    )


def main() -> None:
    report: dict[str, object] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for name, command in BENCHMARKS.items():
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
        try:
            report[name] = _last_json(result.stdout) if result.returncode == 0 else {"error": result.stderr[-2000:]}
        except ValueError:  # it exited cleanly but printed no JSON
            report[name] = {"error": f"no JSON report on standard output; stderr: {result.stderr[-2000:]}"}
        print(f"{name}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    text = "\n".join(summary(report)) + "\n"
    path.with_suffix(".txt").write_text(text)
    print(text)
    print(f"Report written to {path.relative_to(ROOT)} (summary: {path.with_suffix('.txt').name})", file=sys.stderr)


if __name__ == "__main__":
    main()
