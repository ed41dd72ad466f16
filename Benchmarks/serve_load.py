#!/usr/bin/env python3
"""kiln serve under load (issue 16): wrk on loopback against the real `kiln serve` binary, beside
the same requests sent to openai-fake directly, in the same sitting.

  image       GET /images/{digest}            a cached ~1.8 MB image (kiln) — no peer row
  cached gen  POST /api/images, one body      served from the cache   vs  POST /v1/images/generations
                                              on the fake (what a script without a cache pays)
  gateway     POST /v1/images/generations     the OpenAI-compatible route, cached
  mixed       POST /api/images, a new prompt  every request a miss: kiln calls the fake (200 ms)
              per request                     vs  the same new prompts sent to the fake directly

Reports requests/s, p50/p99, non-2xx and socket errors per row, kiln serve's RSS after each row and
its peak (VmHWM), and the connections still open to it after the last row.

  python3 Benchmarks/serve_load.py --kiln .build/release/kiln --fake .build/release/openai-fake \
      [--duration 10] [--connections 32] [--latency-ms 200] [--answer-bytes 1800000]
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

TOKEN = "kiln_bench_token_not_secret_0123456789abcdef"
KEY = "bench-placeholder-key"

POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(auth)s"
wrk.body = '%(body)s'
"""

# Every request a new prompt: a counter per thread, the thread's id in the prompt.
UNIQUE_LUA = """
local counter = 0
local tid = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  tid = tid
end
request = function()
  counter = counter + 1
  local body = '{"prompt": "bench %(run)s thread ' .. tostring(tid) .. ' request ' .. counter .. '", "size": "1024x1024", "quality": "low"%(model)s}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(auth)s"}, body)
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU the process has used so far (from /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, duration, connections, script=None, headers=()):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "30s"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": rps, "p50": pct(50), "p99": pct(99), "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0}


def post(url, body, auth):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {auth}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--fake", required=True)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--answer-bytes", type=int, default=1800000)
    parser.add_argument("--soak-cycles", type=int, default=0,
                        help="then this many cycles of every row again (the misses write ~1.8 MB each to the cache), "
                             "kiln serve's RSS after each: is memory flat?")
    options = parser.parse_args()
    options.kiln, options.fake = os.path.abspath(options.kiln), os.path.abspath(options.fake)
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")

    root = tempfile.mkdtemp(prefix="kiln-serve-load-")
    procs = []
    try:
        fake_port = free_port()
        procs.append(subprocess.Popen([options.fake, "--port", str(fake_port), "--latency-ms", str(options.latency_ms),
                                       "--answer-bytes", str(options.answer_bytes), "--api-key", KEY],
                                      stdout=open(os.path.join(root, "fake.log"), "w"), stderr=subprocess.STDOUT))
        wait_port(fake_port)
        import hashlib
        config = os.path.join(root, "serve.yaml")
        with open(config, "w") as f:
            f.write(f"""limits:
  rate_per_minute: 0
  burst: 100000
  concurrency: 64
  queue: 4096
tokens:
  - name: bench
    sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}
""")
        port = free_port()
        env = dict(os.environ, OPENAI_API_KEY=KEY)
        serve = subprocess.Popen([options.kiln, "serve", "--config", config, "--port", str(port),
                                  "--base-url", f"http://127.0.0.1:{fake_port}/v1"],
                                 cwd=root, env=env, stdout=open(os.path.join(root, "serve.out"), "w"),
                                 stderr=open(os.path.join(root, "serve.err"), "w"))
        procs.append(serve)
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        body = {"prompt": "a lighthouse at dusk, load test", "size": "1024x1024", "quality": "low"}
        answer = post(base + "/api/images", body, TOKEN)
        digest = answer["images"][0]["digest"]
        post(base + "/v1/images/generations", dict(body, model="gpt-image-1.5"), TOKEN)

        def script(name, text):
            path = os.path.join(root, name)
            with open(path, "w") as f:
                f.write(text)
            return path

        body_text = json.dumps(body)
        gen_text = json.dumps(dict(body, model="gpt-image-1.5"))
        rows = []
        d, c = options.duration, options.connections
        auth = [f"Authorization: Bearer {TOKEN}"]
        print(f"kiln serve on {base}; openai-fake on {fake_port} at {options.latency_ms} ms, "
              f"{options.answer_bytes} B answers; wrk -t2 -c{c} -d{d}s; load before {os.getloadavg()[0]:.2f}", flush=True)

        fake_pid = procs[0].pid

        def row(name, who, run):
            """Runs one wrk row; records CPU per request of kiln serve and of the fake during it."""
            before = (cpu_seconds(serve.pid), cpu_seconds(fake_pid))
            result = run()
            after = (cpu_seconds(serve.pid), cpu_seconds(fake_pid))
            count = max(1.0, result["rps"] * d)
            result.update(name=name, who=who, rss_mib=rss_kib(serve.pid, "VmRSS") / 1024,
                          kiln_cpu_ms=(after[0] - before[0]) * 1000 / count, fake_cpu_ms=(after[1] - before[1]) * 1000 / count)
            rows.append(result)
            print(json.dumps(result), flush=True)

        def all_rows(cycle=""):
            row("image", "kiln", lambda: wrk(f"{base}/images/{digest}", d, c, headers=auth))
            row("cached gen", "kiln", lambda: wrk(f"{base}/api/images", d, c, script("kiln.lua", POST_LUA % {"auth": TOKEN, "body": body_text})))
            row("cached gen", "fake", lambda: wrk(f"http://127.0.0.1:{fake_port}/v1/images/generations", d, c,
                                                  script("fake.lua", POST_LUA % {"auth": KEY, "body": gen_text})))
            row("gateway", "kiln", lambda: wrk(f"{base}/v1/images/generations", d, c,
                                               script("gw.lua", POST_LUA % {"auth": TOKEN, "body": gen_text})))
            row("mixed", "kiln", lambda: wrk(f"{base}/api/images", d, c,
                                             script("km.lua", UNIQUE_LUA % {"auth": TOKEN, "run": "k" + cycle, "model": ""})))
            row("mixed", "fake", lambda: wrk(f"http://127.0.0.1:{fake_port}/v1/images/generations", d, c,
                                             script("fm.lua", UNIQUE_LUA % {"auth": KEY, "run": "f" + cycle, "model": ', "model": "gpt-image-1.5"'})))

        all_rows()
        first = list(rows)
        soak = []
        for cycle in range(options.soak_cycles):
            all_rows(str(cycle))
            soak.append((len(rows) * d, rss_kib(serve.pid, "VmRSS") / 1024, sum(r["rps"] * d for r in rows if r["who"] == "kiln")))
            print(f"soak cycle {cycle + 1}: kiln serve RSS {soak[-1][1]:.0f} MiB after {soak[-1][2]:.0f} requests", flush=True)
        rows[:] = first
        time.sleep(1)
        open_conns = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
                                    capture_output=True, text=True).stdout.strip().splitlines()
        peak = rss_kib(serve.pid, "VmHWM") / 1024
        print()
        print("| row | against | req/s | p50 ms | p99 ms | non-2xx | socket errors | kiln RSS after, MiB | CPU ms/req kiln | fake |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['name']} | {r['who']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']} | "
                  f"{r['socket_errors']} | {r['rss_mib']:.0f} | {r['kiln_cpu_ms']:.1f} | {r['fake_cpu_ms']:.1f} |")
        if soak:
            print("\nsoak: kiln serve RSS after each cycle of all rows: "
                  + ", ".join(f"{rss:.0f} MiB ({n:.0f} req)" for _, rss, n in soak))
        print(f"\nkiln serve peak RSS {peak:.0f} MiB; connections still open to it: {len(open_conns)}; "
              f"load after {os.getloadavg()[0]:.2f}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
