"""The paid-build rows: N generations, 64 in flight, through the fake OpenAI (200 ms latency,
~1.8 MB PNG answers): `kiln build` beside the openai SDK script (Benchmarks/openai/python_sdk_drive.py),
alternating, for peak memory (flat in N), client CPU and wall ÷ ideal."""
import os, shutil, sys

import benchlib
import benchprojects
from benchlib import median, run_measured
from Peers.table import Row, log, yes

LATENCY = 0.2
ANSWER_BYTES = 1_800_000
IN_FLIGHT = 64
FLAT = 0.15  # "flat in N": the larger N's peak at most 15 % above the smaller N's


def interleaved(runs, has_sdk):
    """(run, who) for each process to run: even runs put the peer first, odd runs Kiln; the peer is
    left out when the SDK is missing."""
    for run in range(runs):
        for who in (("peer", "kiln") if run % 2 == 0 else ("kiln", "peer")):
            if who == "kiln" or has_sdk:
                yield run, who


def prepare(who, args, where, n):
    """A fresh folder for one run of N generations, and the command: `kiln build` of a project of
    N, or the SDK script writing N images."""
    if who == "kiln":
        benchprojects.write_generations_project(where, n)
        return [args.kiln, "build", "--jobs", str(IN_FLIGHT)]
    benchprojects.fresh(where)
    return [sys.executable, benchlib.SDK_DRIVER, "--requests", str(n), "--in-flight", str(IN_FLIGHT),
            "--out", os.path.join(where, "images")]


def paid_rows(args, fake, work, sizes, runs, has_sdk):
    """Peak memory, client CPU and wall/ideal of N generations, 64 in flight, through the fake."""
    results = {}  # n -> {"kiln": [Measured], "peer": [Measured], "fake_cpu": [s]}
    for n in sizes:
        results[n] = {"kiln": [], "peer": [], "fake_cpu": []}
        for run, who in interleaved(runs, has_sdk):
            where = os.path.join(work, f"paid-{who}")
            cmd = prepare(who, args, where, n)
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


def latency_row(args, work, n, runs, has_sdk):
    """Wall ÷ ideal where latency, not CPU, should decide: the fake's small answers (a few hundred
    bytes of PNG), N generations, 64 in flight, 200 ms each — ideal N / 64 × 0.2 s. With ~1.8 MB
    answers the two cores are busy decoding and writing (see the row above); this one shows what the
    client adds to the waiting itself."""
    walls = {"kiln": [], "peer": []}
    with benchlib.FakeOpenAI(args.fake, latency_ms=int(LATENCY * 1000), backlog=1024) as fake:
        for run, who in interleaved(runs, has_sdk):
            where = os.path.join(work, f"latency-{who}")
            cmd = prepare(who, args, where, n)
            m = run_measured(cmd, cwd=where, env=fake.env())
            walls[who].append(m.wall)
            log(f"  latency N={n} run {run + 1} {who:4}: {m} ({m.wall / (n / IN_FLIGHT * LATENCY):.2f} x ideal)")
            shutil.rmtree(where, ignore_errors=True)
    ideal = n / IN_FLIGHT * LATENCY
    kiln = median(walls["kiln"]) / ideal
    peer = median(walls["peer"]) / ideal if walls["peer"] else None
    return Row(f"wall / ideal, small answers (latency-bound), 200 ms, {IN_FLIGHT} in flight, N = {n:,}, `kiln build`",
               "openai SDK", f"{peer:.2f} ×" if peer else "—", f"{kiln:.2f} ×", f"{kiln / peer:.2f}" if peer else "—",
               "≤ 1.10 ×", yes(kiln <= 1.10),
               f"ideal {ideal:.2f} s; whole process, start-up and planning included; median of {runs}, alternating")
