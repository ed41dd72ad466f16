"""Paid builds of realistic answers, whole processes, beside the official openai SDK (issue 13).

    swift build -c release --product kiln --product openai-fake   (or: make bench)
    python3 Benchmarks/MemoryBench/paid_build.py [--images 250,1000] [--in-flight 64]

Starts the fake OpenAI server (`openai-fake --answer-bytes 1800000 --latency-ms 200`: ~1.8 MB PNGs,
each different, like the live service at 1024x1024), then for each N builds N generations with
`kiln build --jobs 64` and, when the `openai` package is installed, runs the SDK script that a
team would otherwise write (asyncio, 64 in flight, each image decoded and written to a file),
alternating. Each run is timed by /usr/bin/time: wall, user+sys CPU, peak RSS. The fake runs on
the same machine, so wall times include its work; CPU and memory are the client's own.
"""
import argparse, os, re, shutil, socket, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd, cwd, env):
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M"] + cmd, cwd=cwd, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = [l for l in out.stderr.splitlines() if l.startswith("TIME ")][-1]
    wall, user, sys_, rss = (float(x) for x in line.split()[1:])
    if out.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return {"wall": wall, "cpu": user + sys_, "rss_mib": rss / 1024}


def project(directory, images):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(os.path.join(directory, "pipelines"))
    values = ", ".join(f"v{i}" for i in range(images))
    with open(os.path.join(directory, "pipelines/bulk.yaml"), "w") as f:
        f.write("version: 1\ndefaults: { provider: openai, model: gpt-image-1.5, size: 1024x1024, quality: low }\n"
                f"assets:\n  icon:\n    matrix:\n      n: [{values}]\n    prompt: \"icon {{{{n}}}}\"\n"
                "    output: \"icons/{{n}}.png\"\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", default="250,1000")
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    args = parser.parse_args()
    port = free_port()
    fake = subprocess.Popen([os.path.join(args.bin, "openai-fake"), "--port", str(port), "--latency-ms", "200",
                             "--answer-bytes", "1800000"], stdout=subprocess.PIPE, text=True)
    fake.stdout.readline()  # "fake OpenAI listening on …"
    env = dict(os.environ, OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", OPENAI_API_KEY="sk-bench-not-a-key")
    try:
        import openai  # noqa: F401
        has_sdk = True
    except ImportError:
        has_sdk = False
        print("(the openai package is not installed: `pip install openai` for the peer column)")
    work = tempfile.mkdtemp(prefix="kiln-paid-bench-")
    rows = []
    try:
        for n in (int(x) for x in args.images.split(",")):
            ideal = n / args.in_flight * 0.2
            project(os.path.join(work, "kiln"), n)
            kiln = timed([os.path.join(args.bin, "kiln"), "build", "--jobs", str(args.in_flight)],
                         os.path.join(work, "kiln"), env)
            sdk = None
            if has_sdk:
                shutil.rmtree(os.path.join(work, "sdk"), ignore_errors=True)
                sdk = timed([sys.executable, os.path.join(ROOT, "Benchmarks/openai/python_sdk_drive.py"),
                             "--requests", str(n), "--in-flight", str(args.in_flight),
                             "--out", os.path.join(work, "sdk")], work, env)
            rows.append((n, ideal, kiln, sdk))
            print(f"N={n}: kiln wall {kiln['wall']:.2f} s ({kiln['wall'] / ideal:.2f} x ideal {ideal:.2f} s), "
                  f"cpu {kiln['cpu']:.2f} s, peak {kiln['rss_mib']:.0f} MiB"
                  + (f" | sdk wall {sdk['wall']:.2f} s ({sdk['wall'] / ideal:.2f} x), cpu {sdk['cpu']:.2f} s, "
                     f"peak {sdk['rss_mib']:.0f} MiB | kiln/sdk cpu {kiln['cpu'] / sdk['cpu']:.2f}" if sdk else ""))
    finally:
        fake.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
