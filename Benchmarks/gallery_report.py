#!/usr/bin/env python3
"""`kiln report` for a 10,000-variant project (issue 14): how long the gallery takes to write with
its thumbnails uncached (libvips makes every one), cached (copied from .kiln/cache/thumbs), and
already in place (the page alone). Whole processes, wall time from outside, CPU and peak RSS from
wait4. The project is built once, offline, with the placeholder provider at 1024x1024 and
`--no-gallery`, so the build's own gallery is not what is measured.

  python3 Benchmarks/gallery_report.py --kiln .build/release/kiln [--variants 10000] [--runs 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def run(kiln, args, cwd):
    # stderr to a file, not a pipe: a build prints a line per step, and a pipe nobody reads until
    # the process ends fills at 64 KB and stops it.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen([kiln] + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode()
    if status != 0:
        raise SystemExit(f"kiln {' '.join(args)} failed ({status}):\n{stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024, "stderr": stderr}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the project goes (removed at exit)")
    options = parser.parse_args()
    kiln = os.path.abspath(options.kiln)
    root = tempfile.mkdtemp(prefix="kiln-gallery-bench-", dir=options.dir)
    try:
        os.makedirs(os.path.join(root, "pipelines"))
        values = ", ".join(f"v{i}" for i in range(options.variants))
        with open(os.path.join(root, "pipelines", "many.yaml"), "w") as f:
            f.write(f"""version: 1
assets:
  icon:
    size: 1024x1024
    quality: low
    matrix:
      n: [{values}]
    prompt: "icon {{{{n}}}}, flat, brand orange"
    output: "icons/{{{{n}}}}.png"
""")
        built = run(kiln, ["build", "--provider", "placeholder", "--no-gallery", "--jobs", "8"], root)
        print(f"build of {options.variants} variants (placeholder, 1024², --no-gallery): {built['wall']:.1f} s wall, "
              f"{built['cpu']:.1f} s CPU, peak {built['peak_mib']:.0f} MiB")
        thumbs_cache = os.path.join(root, ".kiln", "cache", "thumbs")
        beside = os.path.join(root, "outputs", "kiln-gallery")
        rows = {"uncached": [], "cached": [], "in place": []}
        for _ in range(options.runs):
            for label in rows:
                if label == "uncached":
                    shutil.rmtree(thumbs_cache, ignore_errors=True)
                    shutil.rmtree(beside, ignore_errors=True)
                elif label == "cached":
                    shutil.rmtree(beside, ignore_errors=True)
                rows[label].append(run(kiln, ["report"], root))
        load = os.getloadavg()[0]
        print(f"\n`python3 Benchmarks/gallery_report.py --kiln {options.kiln} --variants {options.variants} "
              f"--runs {options.runs}` — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
              f"load average {load:.2f} at the end\n")
        print("| `kiln report`, thumbnails | wall (median) | range | CPU (median) | peak (median) |")
        print("|---|---|---|---|---|")
        for label, results in rows.items():
            walls = [r["wall"] for r in results]
            print(f"| {label} | {statistics.median(walls):.2f} s | {min(walls):.2f}–{max(walls):.2f} s | "
                  f"{statistics.median(r['cpu'] for r in results):.2f} s | "
                  f"{statistics.median(r['peak_mib'] for r in results):.0f} MiB |")
        page = os.path.getsize(os.path.join(root, "outputs", "index.html"))
        print(f"\npage: {page / 1e6:.1f} MB for {options.variants} variants")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
