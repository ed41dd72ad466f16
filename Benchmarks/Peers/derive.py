"""The derive rows: distinct 1024² PNGs → 256 px WebP, `kiln build --provider placeholder` beside
pyvips (two processes of Benchmarks/ImagingBench/peer_pyvips.py --files) and ImageMagick `convert`
(two workers), alternating: images/s and peak memory."""
import os, shlex, shutil, sys, time

import benchprojects
from benchlib import ROOT, median, run_measured
from Peers.table import Row, log, yes


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
            f.write(benchprojects.noisy_png(i))
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
                benchprojects.write_derive_project(project, paths)
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
