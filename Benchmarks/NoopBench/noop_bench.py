#!/usr/bin/env python3
"""No-op build of 10,000 assets: `kiln build` when every step is up to date, beside `ninja` doing a
no-op over 10,000 outputs on the same machine (issue 5). Release build:

    swift build -c release --product kiln
    python3 Benchmarks/NoopBench/noop_bench.py [--assets 10000] [--runs 9] [--dir /tmp/kiln-noop]

Each asset is a derive step from its own 16x16 PNG input (so the first build is quick and the
no-op also checks 10,000 input files through the stat cache) writing one output. The first build
is run once untimed; then the no-op build is timed `--runs` times (wall clock, process start to
exit) and the median reported. ninja gets 10,000 `cp` edges, built once, then timed the same way.
"""
import argparse, os, shutil, statistics, struct, subprocess, sys, time, zlib

def png(seed):
    """A 16x16 RGB PNG whose pixels depend on seed (distinct bytes → distinct cache keys)."""
    raw = b"".join(b"\x00" + b"".join(bytes(((x * 7 + y * 13 + seed) % 256, seed % 256, (seed >> 8) % 256))
                                        for x in range(16))
                   for y in range(16))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def timed(cmd, cwd, runs, env=None):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed:\n{result.stderr.decode()[-2000:]}")
    return times, result

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--dir", default="/tmp/kiln-noop-bench")
    parser.add_argument("--kiln", default=os.path.join(os.path.dirname(__file__), "../../.build/release/kiln"))
    args = parser.parse_args()
    kiln = os.path.abspath(args.kiln)
    root = args.dir
    shutil.rmtree(root, ignore_errors=True)
    inputs = os.path.join(root, "kiln", "pipelines", "inputs")
    os.makedirs(inputs)
    names = [f"t{i:05d}" for i in range(args.assets)]
    for i, name in enumerate(names):
        with open(os.path.join(inputs, name + ".png"), "wb") as f:
            f.write(png(i))
    with open(os.path.join(root, "kiln", "pipelines", "tiles.yaml"), "w") as f:
        f.write("version: 1\nassets:\n  tile:\n    matrix:\n      t: [" + ", ".join(names) + "]\n"
                "    steps:\n      small:\n"
                "        derive: { from: \"inputs/{{t}}.png\", resize: { width: 8 }, format: png }\n"
                "        output: \"tiles/{{t}}.png\"\n")
    env = dict(os.environ, VIPS_WARNING="0")
    env.pop("OPENAI_API_KEY", None)
    kiln_dir = os.path.join(root, "kiln")
    start = time.perf_counter()
    timed([kiln, "build", "--provider", "placeholder"], kiln_dir, 1, env)
    print(f"kiln first build of {args.assets} assets: {time.perf_counter() - start:.1f} s (untimed setup)")
    times, last = timed([kiln, "build", "--provider", "placeholder"], kiln_dir, args.runs, env)
    if b"up to date" not in last.stdout + last.stderr:
        sys.exit("the second build was not a no-op:\n" + (last.stdout + last.stderr).decode()[-2000:])
    kiln_median = statistics.median(times)

    ninja_dir = os.path.join(root, "ninja")
    os.makedirs(os.path.join(ninja_dir, "in"))
    with open(os.path.join(ninja_dir, "build.ninja"), "w") as f:
        f.write("rule cp\n  command = cp $in $out\n")
        for i, name in enumerate(names):
            shutil.copyfile(os.path.join(inputs, name + ".png"), os.path.join(ninja_dir, "in", name + ".png"))
            f.write(f"build out/{name}.png: cp in/{name}.png\n")
    timed(["ninja", "-j2"], ninja_dir, 1)
    ninja_times, last = timed(["ninja", "-j2"], ninja_dir, args.runs)
    if b"no work to do" not in last.stdout:
        sys.exit("ninja's second build was not a no-op")
    ninja_median = statistics.median(ninja_times)
    print(f"kiln  no-op, {args.assets} assets: median {kiln_median * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) over {args.runs} runs")
    print(f"ninja no-op, {args.assets} outputs: median {ninja_median * 1000:.0f} ms "
          f"(min {min(ninja_times) * 1000:.0f}, max {max(ninja_times) * 1000:.0f}) over {args.runs} runs")
    print(f"target ≤ 500 ms: {'met' if kiln_median <= 0.5 else 'NOT met'}")

if __name__ == "__main__":
    main()
