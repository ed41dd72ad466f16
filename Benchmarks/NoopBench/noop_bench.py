#!/usr/bin/env python3
"""No-op build of 10,000 assets: `kiln build` when every step is up to date, beside `ninja` doing a
no-op over 10,000 outputs on the same machine (issue 5). Release build:

    swift build -c release --product kiln
    python3 Benchmarks/NoopBench/noop_bench.py [--assets 10000] [--runs 9] [--dir /tmp/kiln-noop]

Each asset is a derive step from its own 16x16 PNG input (so the first build is quick and the
no-op also checks 10,000 input files through the stat cache) writing one output. The first build
is run once untimed; then the no-op build is timed `--runs` times (wall clock, process start to
exit) and the median reported. ninja gets 10,000 `cp` edges, built once, then timed the same way.
Benchmarks/peers.py runs the same comparison, interleaved, with `status` and `build --locked` too.
The project is left in --dir (Benchmarks/NoopBench/crash_rate.sh builds it again).
"""
import argparse, os, statistics, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402


def timed(cmd, cwd, runs, env=None):
    times, last = [], None
    for _ in range(runs):
        last = benchlib.run_measured(cmd, cwd=cwd, env=env, keep_output=True)
        times.append(last.wall)
    return times, last.output


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--dir", default="/tmp/kiln-noop-bench")
    parser.add_argument("--kiln", default=os.path.join(benchlib.ROOT, ".build/release/kiln"))
    args = parser.parse_args()
    kiln = os.path.abspath(args.kiln)
    root = args.dir
    kiln_dir = os.path.join(root, "kiln")
    names = benchlib.write_noop_project(kiln_dir, args.assets)
    env = dict(os.environ, VIPS_WARNING="0")
    env.pop("OPENAI_API_KEY", None)
    start = time.perf_counter()
    timed([kiln, "build", "--provider", "placeholder"], kiln_dir, 1, env)
    print(f"kiln first build of {args.assets} assets: {time.perf_counter() - start:.1f} s (untimed setup)")
    times, output = timed([kiln, "build", "--provider", "placeholder"], kiln_dir, args.runs, env)
    if "up to date" not in output:
        sys.exit("the second build was not a no-op:\n" + output[-2000:])
    kiln_median = statistics.median(times)

    ninja_dir = os.path.join(root, "ninja")
    benchlib.write_ninja_project(ninja_dir, [os.path.join(kiln_dir, "pipelines", "inputs", n + ".png") for n in names])
    timed(["ninja", "-j2"], ninja_dir, 1)
    ninja_times, output = timed(["ninja", "-j2"], ninja_dir, args.runs)
    if "no work to do" not in output:
        sys.exit("ninja's second build was not a no-op")
    ninja_median = statistics.median(ninja_times)
    print(f"kiln  no-op, {args.assets} assets: median {kiln_median * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) over {args.runs} runs")
    print(f"ninja no-op, {args.assets} outputs: median {ninja_median * 1000:.0f} ms "
          f"(min {min(ninja_times) * 1000:.0f}, max {max(ninja_times) * 1000:.0f}) over {args.runs} runs")
    print(f"target ≤ 500 ms: {'met' if kiln_median <= 0.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
