#!/usr/bin/env python3
"""Kiln beside its peers in one run (issue 13): every row runs the peer and Kiln alternately, each a
whole process timed from outside (wall: time.perf_counter around the process; CPU user+sys and peak
RSS: os.wait4's rusage of the child, not sampled), and prints one markdown table with ratios and
whether each target is met.

    swift build -c release --product kiln --product openai-fake   (or: make bench)
    python3 Benchmarks/peers.py [--kiln .build/release/kiln] [--fake .build/release/openai-fake]
                                [--engine-bench .build/release/kiln-bench-engine] [--quick]
                                [--only paid,derive,noop,plan,chains] [--runs N] [--dir /tmp]

Peers: the openai SDK script (Benchmarks/openai/python_sdk_drive.py), pyvips (two processes,
Benchmarks/ImagingBench/peer_pyvips.py --files) and ImageMagick `convert` (two workers), ninja.
Missing Python peers are installed with pip, ninja and ImageMagick with apt-get when root
(--no-install: never); a peer that cannot be had leaves its row with a note instead. The fake OpenAI
server (`openai-fake --answer-bytes 1800000 --latency-ms 200`, ~1.8 MB PNG answers) listens on
127.0.0.1 only and is stopped at exit, also on Ctrl-C. It shares the machine's cores with the
client, so wall times include its work; CPU and memory columns are the client's own.
"""
import argparse, os, re, shlex, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import ROOT, median, run_measured  # noqa: E402

LATENCY = 0.2
ANSWER_BYTES = 1_800_000
IN_FLIGHT = 64
FLAT = 0.15  # "flat in N": the larger N's peak at most 15 % above the smaller N's


def log(message):
    print(message, flush=True)


class Row:
    def __init__(self, measure, peer, peer_fig="—", kiln_fig="—", ratio="—", target="—", met="—", note=""):
        self.cells = [measure, peer, peer_fig, kiln_fig, ratio, target, met, note]


def yes(ok):
    return "**met**" if ok else "not met"


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


# ---- peers: find them, install them -------------------------------------------------------------

def run_quiet(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True).returncode == 0


def python_has(module):
    return run_quiet([sys.executable, "-c", f"import {module}"])


def ensure_python(module, allow_install):
    if python_has(module):
        return True
    if allow_install:
        log(f"installing the {module} peer: {sys.executable} -m pip install -q {module}")
        run_quiet([sys.executable, "-m", "pip", "install", "-q", module])
    return python_has(module)


def apt_install(package, allow_install):
    if not allow_install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    log(f"installing {package}: apt-get install -y -qq {package}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-qq", package]
    if subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    return True


def find_ninja(allow_install):
    if not shutil.which("ninja"):
        apt_install("ninja-build", allow_install)
    return shutil.which("ninja")


def is_script(path):
    """A wrapper script (a stand-in that may pass calls on) rather than the program itself."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return True


def real_imagemagick():
    """A `convert` (or `magick`) that is ImageMagick and writes WebP; PATH may hold stand-ins."""
    candidates = []
    for name in ("magick", "convert"):
        for folder in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin"]:
            path = os.path.join(folder, name)
            if os.access(path, os.X_OK) and path not in candidates and not is_script(path):
                candidates.append(path)
    for path in candidates:
        try:
            version = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=10).stdout
            formats = subprocess.run([path, "-list", "format"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if version.startswith("Version: ImageMagick") and re.search(r"^\s*WEBP\*?\s+WEBP\s+rw", formats, re.M):
            return path, version.split()[2]
    return None, None


def find_imagemagick(allow_install):
    path, version = real_imagemagick()
    if not path and apt_install("imagemagick", allow_install):
        path, version = real_imagemagick()
    return path, version


# ---- rows ----------------------------------------------------------------------------------------

def alternate(peer_first):
    """Interleaving: even runs put the peer first, odd runs Kiln."""
    return ("peer", "kiln") if peer_first else ("kiln", "peer")


def paid_rows(args, fake, work, sizes, runs, has_sdk):
    """Peak memory, client CPU and wall/ideal of N generations, 64 in flight, through the fake."""
    results = {}  # n -> {"kiln": [Measured], "peer": [Measured], "fake_cpu": [s]}
    for n in sizes:
        results[n] = {"kiln": [], "peer": [], "fake_cpu": []}
        for run in range(runs):
            for who in alternate(run % 2 == 0):
                if who == "peer" and not has_sdk:
                    continue
                where = os.path.join(work, f"paid-{who}")
                if who == "kiln":
                    benchlib.write_generations_project(where, n)
                    cmd = [args.kiln, "build", "--jobs", str(IN_FLIGHT)]
                else:
                    benchlib.fresh(where)
                    cmd = [sys.executable, benchlib.SDK_DRIVER, "--requests", str(n), "--in-flight", str(IN_FLIGHT),
                           "--out", os.path.join(where, "images")]
                fake_before = fake.cpu_seconds()
                m = run_measured(cmd, cwd=where, env=fake.env())
                fake_cpu = fake.cpu_seconds() - fake_before
                if who == "kiln":
                    results[n]["fake_cpu"].append(fake_cpu)
                results[n][who].append(m)
                log(f"  paid N={n} run {run + 1} {who:4}: {m} ({m.wall / (n / IN_FLIGHT * LATENCY):.2f} x ideal), "
                    f"fake cpu {fake_cpu:.1f} s")
                shutil.rmtree(where, ignore_errors=True)
    small, big = sizes[0], sizes[-1]
    peak = {n: {who: median([m.rss_mib for m in results[n][who]]) if results[n][who] else None
                for who in ("kiln", "peer")} for n in sizes}
    kiln_peaks = [peak[n]["kiln"] for n in sizes]
    flat = peak[big]["kiln"] <= peak[small]["kiln"] * (1 + FLAT)
    slash = " / ".join
    rows = []
    sizes_label = slash(f"{n:,}" for n in sizes)
    note_runs = f"median of {runs} run(s) per N, alternating with the peer"
    if has_sdk:
        peer_peaks = slash(f"{peak[n]['peer']:.0f}" for n in sizes) + " MiB"
        ratio = slash(f"{peak[n]['kiln'] / peak[n]['peer']:.2f}" for n in sizes)
    else:
        peer_peaks, ratio = "—", "—"
    rows.append(Row(f"peak memory, {IN_FLIGHT} in flight, ~1.8 MB PNG answers, N = {sizes_label}",
                    "openai SDK script" if has_sdk else "openai SDK script (not installed)",
                    peer_peaks, slash(f"{p:.0f}" for p in kiln_peaks) + " MiB", ratio,
                    "≤ 150 MiB, flat in N", yes(max(kiln_peaks) <= 150 and flat),
                    f"flat = N={big:,} within +{FLAT:.0%} of N={small:,} ({'yes' if flat else 'no'}); {note_runs}"))
    kiln_cpu = median([m.cpu for m in results[big]["kiln"]])
    if has_sdk:
        sdk_cpu = median([m.cpu for m in results[big]["peer"]])
        rows.append(Row(f"client CPU (user+sys), same run, N = {big:,}", "openai SDK", f"{sdk_cpu:.1f} s",
                        f"{kiln_cpu:.1f} s", f"{kiln_cpu / sdk_cpu:.2f}", "≤ 0.33 (⅓ of the SDK)",
                        yes(kiln_cpu / sdk_cpu <= 1 / 3), note_runs))
    else:
        rows.append(Row(f"client CPU (user+sys), same run, N = {big:,}", "openai SDK", "—", f"{kiln_cpu:.1f} s",
                        note="peer skipped: the openai package could not be installed"))
    ideal = big / IN_FLIGHT * LATENCY
    kiln_wall = median([m.wall for m in results[big]["kiln"]])
    fake_cpu = median(results[big]["fake_cpu"])
    cores = os.cpu_count()
    cpu_floor = (kiln_cpu + fake_cpu) / cores
    note = (f"ideal {ideal:.2f} s; Kiln {kiln_wall:.1f} s wall, {kiln_cpu:.1f} s CPU + the fake's {fake_cpu:.1f} s "
            f"on {cores} cores = {cpu_floor / ideal:.2f} × ideal at best")
    if has_sdk:
        sdk_wall = median([m.wall for m in results[big]["peer"]])
        rows.append(Row(f"wall / ideal, 200 ms latency, {IN_FLIGHT} in flight, N = {big:,}, `kiln build`",
                        "openai SDK", f"{sdk_wall / ideal:.2f} ×", f"{kiln_wall / ideal:.2f} ×",
                        f"{kiln_wall / sdk_wall:.2f}", "≤ 1.10 ×", yes(kiln_wall / ideal <= 1.10), note))
    else:
        rows.append(Row(f"wall / ideal, 200 ms latency, {IN_FLIGHT} in flight, N = {big:,}, `kiln build`", "openai SDK",
                        "—", f"{kiln_wall / ideal:.2f} ×", "—", "≤ 1.10 ×", yes(kiln_wall / ideal <= 1.10),
                        note + "; peer skipped"))
    return rows


def derive_rows(args, work, count, runs, has_pyvips, magick):
    """count distinct 1024² PNGs → 256 px WebP: Kiln (`kiln build --provider placeholder`, a fresh
    project each run), pyvips in two processes, ImageMagick `convert` in two workers."""
    source = os.path.join(work, "derive-inputs")
    os.makedirs(source, exist_ok=True)
    start = time.perf_counter()
    paths = []
    for i in range(count):
        path = os.path.join(source, f"d{i:04d}.png")
        with open(path, "wb") as f:
            f.write(benchlib.noisy_png(i))
        paths.append(path)
    mean_mb = sum(os.path.getsize(p) for p in paths) / len(paths) / 1e6
    log(f"  derive: {count} inputs of 1024² ({mean_mb:.1f} MB each on average) written in "
        f"{time.perf_counter() - start:.1f} s (untimed)")
    halves = []
    for k in range(2):
        listing = os.path.join(work, f"derive-half-{k}.txt")
        with open(listing, "w") as f:
            f.write("\n".join(paths[k::2]) + "\n")
        halves.append((listing, paths[k::2]))
    project = os.path.join(work, "derive-kiln")
    env = dict(os.environ, VIPS_WARNING="0")
    env.pop("OPENAI_API_KEY", None)
    peers = []
    if has_pyvips:
        peers.append(("pyvips", lambda out: [[sys.executable, os.path.join(ROOT, "Benchmarks/ImagingBench/peer_pyvips.py"),
                                              "--files", listing, "--out", out] for listing, _ in halves]))
    if magick:
        def convert_workers(out):
            workers = []
            for _, half in halves:
                script = "set -e\n" + "".join(
                    f"{shlex.quote(magick)} {shlex.quote(p)} -thumbnail 256x256 -strip -quality 80 "
                    f"{shlex.quote(os.path.join(out, os.path.basename(p)[:-4] + '.webp'))}\n" for p in half)
                workers.append(["sh", "-c", script])
            return workers
        peers.append(("convert", convert_workers))
    results = {"kiln": []}
    results.update({name: [] for name, _ in peers})
    for run in range(runs):
        order = ["kiln"] + [name for name, _ in peers]
        if run % 2 == 0:
            order.reverse()
        for who in order:
            if who == "kiln":
                benchlib.write_derive_project(project, paths)
                m = run_measured([args.kiln, "build", "--provider", "placeholder"], cwd=project, env=env)
                built = len(os.listdir(os.path.join(project, "outputs", "thumbs")))
            else:
                out = os.path.join(work, f"derive-{who}")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                m = run_measured(dict(peers)[who](out), cwd=work, env=env)
                built = len(os.listdir(out))
                shutil.rmtree(out, ignore_errors=True)
            if built != count:
                raise RuntimeError(f"derive {who}: {built} outputs, expected {count}")
            results[who].append(m)
            log(f"  derive run {run + 1} {who:7}: {m} = {count / m.wall:.1f} images/s")
    shutil.rmtree(project, ignore_errors=True)
    kiln_rate = median([count / m.wall for m in results["kiln"]])
    kiln_peak = median([m.rss_mib for m in results["kiln"]])
    kiln_cpu = median([m.cpu for m in results["kiln"]])
    label = f"derive {count} × 1024² PNG → 256 px WebP"
    note_runs = f"median of {runs} alternating runs; two processes' peaks summed"
    rows = []
    if has_pyvips:
        rate = median([count / m.wall for m in results["pyvips"]])
        peak = median([m.rss_mib for m in results["pyvips"]])
        cpu = median([m.cpu for m in results["pyvips"]])
        rows.append(Row(f"{label}: images/s", "pyvips, 2 processes", f"{rate:.1f}/s", f"{kiln_rate:.1f}/s",
                        f"{kiln_rate / rate:.2f}", "≥ 2.00 (pyvips × 2)", yes(kiln_rate >= 2 * rate),
                        f"CPU: Kiln {kiln_cpu:.1f} s, pyvips {cpu:.1f} s; {note_runs}"))
        rows.append(Row(f"{label}: peak memory", "pyvips, 2 processes", f"{peak:.0f} MiB", f"{kiln_peak:.0f} MiB",
                        f"{kiln_peak / peak:.2f}", "≤ 150 MiB", yes(kiln_peak <= 150), note_runs))
    else:
        rows.append(Row(f"{label}: images/s, peak memory", "pyvips (not installed)", "—",
                        f"{kiln_rate:.1f}/s, {kiln_peak:.0f} MiB", "—", "≥ pyvips × 2, ≤ 150 MiB",
                        yes(kiln_peak <= 150) + " (memory only)", "peer skipped: pyvips could not be installed"))
    if magick:
        rate = median([count / m.wall for m in results["convert"]])
        peak = median([m.rss_mib for m in results["convert"]])
        cpu = median([m.cpu for m in results["convert"]])
        rows.append(Row(f"{label}: images/s, peak memory (second peer)", "ImageMagick `convert -thumbnail`, 2 workers",
                        f"{rate:.1f}/s, {peak:.0f} MiB", f"{kiln_rate:.1f}/s, {kiln_peak:.0f} MiB",
                        f"{kiln_rate / rate:.2f}, {kiln_peak / peak:.2f}", "— (for reference)", "—",
                        f"CPU: convert {cpu:.1f} s; peak = two workers' largest `convert` summed"))
    else:
        rows.append(Row(f"{label} (second peer)", "ImageMagick", note="skipped: no ImageMagick with WebP"))
    return rows


def noop_rows(args, work, assets, runs, ninja):
    """A no-op `build`, `status` and `build --locked` of `assets` up-to-date derive steps, beside a
    ninja no-op over as many `cp` edges."""
    project = os.path.join(work, "noop-kiln")
    names = benchlib.write_noop_project(project, assets)
    env = dict(os.environ, VIPS_WARNING="0")
    env.pop("OPENAI_API_KEY", None)
    start = time.perf_counter()
    run_measured([args.kiln, "build", "--provider", "placeholder"], cwd=project, env=env)
    log(f"  no-op: first build of {assets:,} assets {time.perf_counter() - start:.1f} s (untimed)")
    commands = {"build": [args.kiln, "build", "--provider", "placeholder"],
                "status": [args.kiln, "status", "--provider", "placeholder"],
                "build --locked": [args.kiln, "build", "--locked", "--provider", "placeholder"]}
    for name, cmd in commands.items():  # each once, untimed: the page cache warm for all alike
        m = run_measured(cmd, cwd=project, env=env, keep_output=True)
        if name != "status" and "up to date" not in m.output:
            raise RuntimeError(f"kiln {name} was not a no-op:\n{m.output[-2000:]}")
    ninja_dir = os.path.join(work, "noop-ninja")
    if ninja:
        benchlib.write_ninja_project(ninja_dir, [os.path.join(project, "pipelines", "inputs", n + ".png") for n in names])
        run_measured([ninja, "-j2"], cwd=ninja_dir)
        if "no work to do" not in run_measured([ninja, "-j2"], cwd=ninja_dir, keep_output=True).output:
            raise RuntimeError("ninja's second build was not a no-op")
    walls = {name: [] for name in commands}
    walls["ninja"] = []
    for run in range(runs):
        order = (["ninja"] if ninja else []) + list(commands)
        if run % 2:
            order.reverse()
        for who in order:
            if who == "ninja":
                m = run_measured([ninja, "-j2"], cwd=ninja_dir)
            else:
                m = run_measured(commands[who], cwd=project, env=env)
            walls[who].append(m.wall)
        log(f"  no-op run {run + 1}: " + ", ".join(f"{who} {ms(walls[who][-1])}" for who in order))
    shutil.rmtree(ninja_dir, ignore_errors=True)
    shutil.rmtree(project, ignore_errors=True)
    rows = []
    ninja_median = median(walls["ninja"]) if ninja else None
    for name in commands:
        kiln = median(walls[name])
        spread = f"median of {runs}, range {ms(min(walls[name]))}–{ms(max(walls[name]))}"
        if ninja:
            ok = kiln <= 5 * ninja_median and kiln <= 0.25
            rows.append(Row(f"no-op `{name}`, {assets:,} assets", f"ninja no-op, {assets:,} edges", ms(ninja_median),
                            ms(kiln), f"{kiln / ninja_median:.1f}", "≤ 5 × ninja and ≤ 250 ms", yes(ok), spread))
        else:
            rows.append(Row(f"no-op `{name}`, {assets:,} assets", "ninja (not installed)", "—", ms(kiln), "—",
                            "≤ 5 × ninja and ≤ 250 ms", yes(kiln <= 0.25) + " (250 ms only)", spread + "; ninja skipped"))
    return rows


def plan_rows(args, work, side, runs):
    """Whole-process `validate`, `plan`, `plan --json` of the kiln-bench-plan manifest."""
    project = benchlib.write_plan_project(os.path.join(work, "plan"), side)
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    commands = {"validate": ["validate"], "plan": ["plan"], "plan --json": ["plan", "--json"]}
    walls = {name: [] for name in commands}
    peaks = {name: [] for name in commands}
    for run in range(runs + 1):  # the first round warms the page cache and is not counted
        order = list(commands) if run % 2 == 0 else list(reversed(commands))
        for name in order:
            m = run_measured([args.kiln] + commands[name] + ["--provider", "openai"], cwd=project, env=env)
            if run:
                walls[name].append(m.wall)
                peaks[name].append(m.rss_mib)
    shutil.rmtree(project, ignore_errors=True)
    rows = []
    for name in commands:
        wall = median(walls[name])
        rows.append(Row(f"whole-process `{name}`, {side * side:,} variants ({2 * side * side:,} steps)", "—", "—",
                        ms(wall), "—", "≤ 0.2 s", yes(wall <= 0.2),
                        f"median of {runs}, range {ms(min(walls[name]))}–{ms(max(walls[name]))}; "
                        f"peak {median(peaks[name]):.0f} MiB; `--provider openai`"))
    log("  plan: " + "; ".join(f"{name} {', '.join(ms(w) for w in walls[name])}" for name in commands))
    return rows


def chains_rows(args, fake, work, chains, runs):
    """`chains` chains generate → edit → derive, all in flight, through `kiln build` and the fake;
    the limit is max(one chain built alone = the critical path, (Kiln + fake CPU) ÷ cores)."""
    cores = os.cpu_count()
    results = []
    for run in range(runs):
        measured = {}
        for who in (["alone", "all"] if run % 2 == 0 else ["all", "alone"]):
            project = benchlib.write_chains_project(os.path.join(work, f"chains-{who}"), 1 if who == "alone" else chains)
            fake_before = fake.cpu_seconds()
            m = run_measured([args.kiln, "build", "--jobs", str(chains)], cwd=project, env=fake.env(dict(os.environ, VIPS_WARNING="0")))
            measured[who] = (m, fake.cpu_seconds() - fake_before)
            shutil.rmtree(project, ignore_errors=True)
        (all_m, fake_cpu), (alone_m, _) = measured["all"], measured["alone"]
        limit = max(alone_m.wall, (all_m.cpu + fake_cpu) / cores)
        results.append((all_m, fake_cpu, alone_m, limit))
        log(f"  chains run {run + 1}: all {all_m}, fake cpu {fake_cpu:.1f} s; one alone {alone_m.wall:.3f} s; "
            f"limit {limit:.2f} s; ratio {all_m.wall / limit:.3f}")
    ratio = median([r[0].wall / r[3] for r in results])
    wall = median([r[0].wall for r in results])
    limit = median([r[3] for r in results])
    alone = median([r[2].wall for r in results])
    cpu_part = median([(r[0].cpu + r[1]) / cores for r in results])
    rows = [Row(f"{chains} chains generate → edit → derive, all in flight, `kiln build` through the fake (end to end)",
                "limit = max(critical path, CPU ÷ cores)", f"{limit:.2f} s", f"{wall:.2f} s", f"{ratio:.3f}",
                "≤ 1.10 × the limit", yes(ratio <= 1.10),
                f"critical path = one chain built alone {alone:.2f} s; (Kiln + fake CPU) ÷ {cores} = {cpu_part:.2f} s; "
                f"~1.8 MB answers, 200 ms; median ratio of {runs}, alternating with the chain alone; "
                f"Kiln peak {median([r[0].rss_mib for r in results]):.0f} MiB")]
    return rows


def engine_rows(args, runs):
    """The in-process figure (kiln-bench-engine: a 200 ms sleeping provider, a header-only toolkit)."""
    if not args.engine_bench or not os.access(args.engine_bench, os.X_OK):
        return [Row("300 chains, in process (kiln-bench-engine)", "ideal 2 × 200 ms",
                    note=f"skipped: no kiln-bench-engine at {args.engine_bench}")]
    env = dict(os.environ, KILN_BENCH_ONLY="chains", KILN_BENCH_RUNS=str(runs))
    if os.path.isdir("/dev/shm"):
        env["KILN_BENCH_DIR"] = "/dev/shm"  # as docs/benchmarks.md's headline figure: the engine, not the disk
    m = run_measured([args.engine_bench], env=env, keep_output=True)
    found = dict(re.findall(r"cache (off|on): wall .*?ratio ([\d.]+)", m.output))
    log("  engine: " + " | ".join(line.strip() for line in m.output.splitlines() if "ratio" in line))
    if set(found) != {"off", "on"}:
        return [Row("300 chains, in process (kiln-bench-engine)", "ideal 2 × 200 ms",
                    note="could not read its output: " + m.output[-300:].replace("\n", " "))]
    off, on = float(found["off"]), float(found["on"])
    return [Row("300 chains, all in flight, in process (kiln-bench-engine), cache off / on", "ideal 2 × 200 ms",
                "0.40 s", f"{off * 0.4:.2f} / {on * 0.4:.2f} s", f"{off:.3f} / {on:.3f}", "≤ 1.10 × ideal",
                yes(max(off, on) <= 1.10),
                f"median of {runs}, files in {env.get('KILN_BENCH_DIR', '/tmp')}; sleeping provider and header-only "
                "toolkit: the engine alone, no HTTP, no libvips")]


# ---- main ----------------------------------------------------------------------------------------

def version_of(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiln", default=os.path.join(ROOT, ".build/release/kiln"))
    parser.add_argument("--fake", default=os.path.join(ROOT, ".build/release/openai-fake"))
    parser.add_argument("--engine-bench", help="kiln-bench-engine for the in-process chains row "
                        "(default: beside --kiln, when there)")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run each: a smoke test")
    parser.add_argument("--runs", type=int, help="override the runs per row")
    parser.add_argument("--only", default="paid,derive,noop,plan,chains")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the work folder goes (removed at exit)")
    parser.add_argument("--no-install", action="store_true", help="never pip/apt-get install a missing peer")
    args = parser.parse_args()
    args.kiln = os.path.abspath(args.kiln)
    args.fake = os.path.abspath(args.fake)
    if args.engine_bench is None:
        args.engine_bench = os.path.join(os.path.dirname(args.kiln), "kiln-bench-engine")
    for binary in (args.kiln, args.fake):
        if not os.access(binary, os.X_OK):
            sys.exit(f"no executable {binary}: swift build -c release --product kiln --product openai-fake, "
                     "or pass --kiln/--fake")
    only = set(args.only.split(","))
    q = args.quick
    sizes = [32, 96] if q else [250, 1000]
    r = lambda full, quick: args.runs or (quick if q else full)  # noqa: E731
    benchlib.install_signal_handlers()
    command_line = " ".join(shlex.quote(a) for a in [os.path.basename(sys.executable)] + sys.argv)
    started = time.perf_counter()
    work = tempfile.mkdtemp(prefix="kiln-peers-", dir=args.dir)
    rows = []
    fake = None
    try:
        allow = not args.no_install
        has_sdk = "paid" in only and ensure_python("openai", allow)
        has_pyvips = "derive" in only and ensure_python("pyvips", allow)
        ninja = find_ninja(allow) if "noop" in only else None
        magick, magick_version = find_imagemagick(allow) if "derive" in only else (None, None)
        log(f"kiln: {args.kiln} ({version_of([args.kiln, '--version'])}); load average {os.getloadavg()[0]:.2f}")
        log("peers: " + ", ".join(filter(None, [
            has_sdk and "openai " + version_of([sys.executable, "-c", "import openai; print(openai.__version__)"]),
            has_pyvips and "pyvips " + version_of([sys.executable, "-c", "import pyvips; print(pyvips.__version__, "
                                                   "'libvips %d.%d.%d' % tuple(pyvips.version(i) for i in range(3)))"]),
            ninja and "ninja " + version_of([ninja, "--version"]),
            magick and f"ImageMagick {magick_version} ({magick})"])))
        if only & {"paid", "chains"}:
            fake = benchlib.FakeOpenAI(args.fake, latency_ms=int(LATENCY * 1000), answer_bytes=ANSWER_BYTES)
            log(f"fake OpenAI: {fake.base_url} (latency 200 ms, ~1.8 MB answers)")
        if "paid" in only:
            log("paid builds: Kiln vs the openai SDK script")
            rows += paid_rows(args, fake, work, sizes, r(2, 1), has_sdk)
        if "derive" in only:
            log("derive: Kiln vs pyvips and ImageMagick")
            rows += derive_rows(args, work, 20 if q else 200, r(3, 1), has_pyvips, magick)
        if "noop" in only:
            log("no-op builds: Kiln vs ninja")
            rows += noop_rows(args, work, 500 if q else 10_000, r(9, 3), ninja)
        if "plan" in only:
            log("validate / plan, whole process")
            rows += plan_rows(args, work, 30 if q else 100, r(9, 3))
        if "chains" in only:
            log("chains: end to end, then in process")
            rows += chains_rows(args, fake, work, 30 if q else 300, r(3, 1))
            rows += engine_rows(args, r(5, 1))
    except (KeyboardInterrupt, RuntimeError) as error:
        if not isinstance(error, KeyboardInterrupt) and not benchlib.interrupted:
            raise  # a process failed: its command and output are in the message
        log("interrupted: stopping every process this script started")
        raise SystemExit(130)
    finally:
        if fake:
            fake.stop()
        benchlib.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - started
    head = ["measure", "peer", "peer figure", "Kiln", "ratio (Kiln ÷ peer)", "target", "met", "note"]
    print()
    print(f"`{command_line}` — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} at the end, total wall {total:.0f} s"
          + (" (--quick: smoke sizes, not the issue's)" if q else ""))
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in row.cells) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
