"""Paid builds of realistic answers, whole processes, beside the official openai SDK (issue 13).

    swift build -c release --product kiln --product openai-fake   (or: make bench)
    python3 Benchmarks/MemoryBench/paid_build.py [--images 250,1000] [--in-flight 64]

Starts the fake OpenAI server (`openai-fake --answer-bytes 1800000 --latency-ms 200`: ~1.8 MB PNGs,
each different, like the live service at 1024x1024), then for each N builds N generations with
`kiln build --jobs 64` and, when the `openai` package is installed, runs the SDK script that a
team would otherwise write (asyncio, 64 in flight, each image decoded and written to a file),
alternating. Each run is a whole process: wall clock around it, user+sys CPU and peak RSS from
os.wait4. The fake runs on the same machine, so wall times include its work; CPU and memory are the
client's own. Benchmarks/peers.py runs the same comparison as part of the issue-13 table.
"""
import argparse, os, shutil, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import benchlib  # noqa: E402
from benchlib import ROOT, run_measured  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", default="250,1000")
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    args = parser.parse_args()
    benchlib.install_signal_handlers()
    try:
        import openai  # noqa: F401
        has_sdk = True
    except ImportError:
        has_sdk = False
        print("(the openai package is not installed: `pip install openai` for the peer column)")
    work = tempfile.mkdtemp(prefix="kiln-paid-bench-")
    try:
        with benchlib.FakeOpenAI(os.path.join(args.bin, "openai-fake"), latency_ms=200, answer_bytes=1800000) as fake:
            env = fake.env()
            for n in (int(x) for x in args.images.split(",")):
                ideal = n / args.in_flight * 0.2
                project = benchlib.write_generations_project(os.path.join(work, "kiln"), n)
                kiln = run_measured([os.path.join(args.bin, "kiln"), "build", "--jobs", str(args.in_flight)], project, env)
                sdk = None
                if has_sdk:
                    shutil.rmtree(os.path.join(work, "sdk"), ignore_errors=True)
                    sdk = run_measured([sys.executable, benchlib.SDK_DRIVER, "--requests", str(n), "--in-flight",
                                        str(args.in_flight), "--out", os.path.join(work, "sdk")], work, env)
                print(f"N={n}: kiln wall {kiln.wall:.2f} s ({kiln.wall / ideal:.2f} x ideal {ideal:.2f} s), "
                      f"cpu {kiln.cpu:.2f} s, peak {kiln.rss_mib:.0f} MiB"
                      + (f" | sdk wall {sdk.wall:.2f} s ({sdk.wall / ideal:.2f} x), cpu {sdk.cpu:.2f} s, "
                         f"peak {sdk.rss_mib:.0f} MiB | kiln/sdk cpu {kiln.cpu / sdk.cpu:.2f}" if sdk else ""),
                      flush=True)
    finally:
        benchlib.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
