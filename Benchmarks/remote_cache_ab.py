#!/usr/bin/env python3
"""Two kiln binaries pushing the same 1,000 cached answers of ~1.8 MB to the same nginx (WebDAV on
loopback), alternating, for a before/after comparison of one change (issue 15). The project is built
once with openai-fake (not measured); before each push the store is emptied, the page cache written
back (`sync`) and the driver waits --settle seconds. CPU and peak RSS of the kiln process from wait4.

  python3 Benchmarks/remote_cache_ab.py --a OLD/kiln --b NEW/kiln --fake .build/release/openai-fake [--runs 5]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import FakeOpenAI, install_signal_handlers, median, run_measured  # noqa: E402
from benchprojects import write_generations_project  # noqa: E402
from remote_cache import Nginx  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True, help="the kiln binary before the change")
    parser.add_argument("--b", required=True, help="the kiln binary after it")
    parser.add_argument("--fake", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=8)
    options = parser.parse_args()
    install_signal_handlers()
    work = tempfile.mkdtemp(prefix="kiln-bench-remote-ab-")
    project = os.path.join(work, "project")
    write_generations_project(project, options.count)
    with FakeOpenAI(options.fake, latency_ms=0, answer_bytes=1_800_000) as fake:
        run_measured([options.b, "build", "--jobs", "32", "--no-gallery"], cwd=project, env=fake.env())
    nginx = Nginx(os.path.join(work, "nginx"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KILN_")}
    results = {"a": [], "b": []}
    try:
        for _ in range(options.runs):
            for name in ("a", "b"):
                nginx.clear("kiln")
                subprocess.run(["sync"], check=True)
                time.sleep(options.settle)
                binary = options.a if name == "a" else options.b
                m = run_measured([binary, "cache", "push", "--remote-cache", nginx.url("kiln")], cwd=project, env=env)
                results[name].append(m)
                print(f"{name}: wall {m.wall:.2f} s, CPU {m.cpu:.2f} s, peak RSS {m.rss_mib:.0f} MiB", flush=True)
    finally:
        nginx.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("\n| push | CPU s (median; runs) | wall s (median) | peak RSS MiB (max) |\n|---|---|---|---|")
    for name in ("a", "b"):
        ms = results[name]
        print(f"| {name} | {median([m.cpu for m in ms]):.2f} ({', '.join(f'{m.cpu:.2f}' for m in ms)}) "
              f"| {median([m.wall for m in ms]):.2f} | {max(m.rss_mib for m in ms):.0f} |")


if __name__ == "__main__":
    main()
