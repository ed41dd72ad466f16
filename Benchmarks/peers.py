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

Layout: this file parses the arguments, runs the rows and prints the table; Benchmarks/Peers/ holds
the rest (install.py: the peers; paid.py, derive.py, local.py: the rows; table.py: Row and the cell
formatters). Processes and the fake come from benchlib.py, the projects from benchprojects.py.
"""
import argparse, os, shlex, shutil, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import ROOT  # noqa: E402
from Peers.derive import derive_rows  # noqa: E402
from Peers.install import ensure_python, find_imagemagick, find_ninja, version_of  # noqa: E402
from Peers.local import chains_rows, engine_rows, noop_rows, plan_rows  # noqa: E402
from Peers.paid import ANSWER_BYTES, LATENCY, latency_row, paid_rows  # noqa: E402
from Peers.table import log  # noqa: E402


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
            rows.append(latency_row(args, work, sizes[-1], r(3, 1), has_sdk))
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
    print_table(rows, command_line, time.perf_counter() - started, q)


def print_table(rows, command_line, total, quick):
    """The markdown table: a line saying how it was run, then one line per Row."""
    head = ["measure", "peer", "peer figure", "Kiln", "ratio (Kiln ÷ peer)", "target", "met", "note"]
    print()
    print(f"`{command_line}` — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} at the end, total wall {total:.0f} s"
          + (" (--quick: smoke sizes, not the issue's)" if quick else ""))
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in row.cells) + " |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
