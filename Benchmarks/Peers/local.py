"""The rows with no provider call to wait on, or an in-process one: no-op `build`/`status`/`build
--locked` beside a ninja no-op, whole-process `validate`/`plan`, chains generate → edit → derive end
to end through the fake OpenAI, and the in-process chains figure of kiln-bench-engine."""
import os, re, shutil, time

import benchprojects
from benchlib import median, run_measured
from Peers.table import Row, log, ms, yes


def noop_rows(args, work, assets, runs, ninja):
    """A no-op `build`, `status` and `build --locked` of `assets` up-to-date derive steps, beside a
    ninja no-op over as many `cp` edges."""
    project = os.path.join(work, "noop-kiln")
    names = benchprojects.write_noop_project(project, assets)
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
        benchprojects.write_ninja_project(ninja_dir, [os.path.join(project, "pipelines", "inputs", n + ".png") for n in names])
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
    project = benchprojects.write_plan_project(os.path.join(work, "plan"), side)
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
            project = benchprojects.write_chains_project(os.path.join(work, f"chains-{who}"), 1 if who == "alone" else chains)
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
