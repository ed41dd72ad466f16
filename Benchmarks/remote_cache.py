#!/usr/bin/env python3
"""The remote cache over HTTP (issue 15): 1,000 cached answers of ~1.8 MB moved between a local
cache and nginx (WebDAV) on loopback, by the whole `kiln` binary beside `curl --parallel` moving the
same objects (each answer's image and its record), in the same sitting, interleaved.

  upload    kiln cache push --remote-cache http://127.0.0.1:PORT/kiln       (HEAD, then PUT of each
            image, then PUT of each record)   vs   curl --parallel -T (PUT of the same images and records)
  download  kiln cache pull --cache-dir EMPTY (GET each record, GET each image into the local cache,
            SHA-256 checked as it arrives, renamed in)
                                              vs   curl --parallel -o (GET of the same records and images to files)

The project is built once with openai-fake answering realistic ~1.8 MB PNGs (not measured). Wall
time from outside, MB/s over the image bytes, CPU and peak RSS from wait4.

Before each measured command both sides get the same start: the page cache is written back
(`sync`), and, run as root, the kernel's caches are dropped and the files the command reads are
read back in (the local cache or outputs/ for an upload, the store's objects for a download): a
warm store and a machine that has not just deleted thousands of files. Without that each command
paid for the one before: its writeback, and on ext4 without a journal (this machine's) its
deletions — when it makes a file, ext4 skips each inode freed in the last 60 s (6 min while the
inode table is unwritten) whose table block is cached, one by one; that cost a download that makes
2,000 files up to a fifth of its CPU, and the time between runs decided how much. Not root: `sync`
and --settle seconds (35) only.

Last, right before the command, --touch GiB (3) of memory is written and given back. A virtual
machine that reports free memory to its host (this one: Firecracker, `page_reporting` in the
kernel's command line) has the host take back what the cache drop freed; the first write to each
page after that costs a fault on the host, and a command that fills 1.8 GB of fresh page cache (the
server's files on an upload, the local cache on a download) paid for them by an amount that swung
from run to run: curl's same upload took 1.59-2.81 s in three runs without the touch, 1.41-1.63 s
in three with it (nginx's CPU is most of the difference). The kernel reports freed pages in
batches some seconds after they are freed, so memory written and given back just before the
command is still backed when the command asks for pages.

  sudo python3 Benchmarks/remote_cache.py --kiln .build/release/kiln --fake .build/release/openai-fake \
      [--count 1000] [--answer-bytes 1800000] [--runs 3] [--parallel 16] [--settle 35] [--only upload]

--only upload|download measures one direction (twice the runs in the same time, for a sitting on a
noisy machine); a download-only sitting still pushes once, unmeasured, to fill the store.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import FakeOpenAI, install_signal_handlers, median, run_measured  # noqa: E402
from benchprojects import write_generations_project  # noqa: E402

DROP_CACHES = "/proc/sys/vm/drop_caches"

NGINX_CONF = """daemon off;
{user}
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {root}/data;
        client_max_body_size 64m;
        location / {{
            dav_methods PUT;
            create_full_put_path on;
        }}
    }}
}}
"""


def touch_memory(gib):
    """Writes `gib` GiB of fresh memory, then gives it back (see the module's docstring). In a child
    process: this one's peak would otherwise become every later command's, since a child started
    with vfork inherits its parent's high-water mark into the peak RSS wait4 reports."""
    if int(gib * 1024) <= 0:
        return
    code = ("import mmap, sys\n"
            "mib = int(float(sys.argv[1]) * 1024)\n"
            "chunk = b'\\1' * (1 << 20)\n"
            "with mmap.mmap(-1, mib << 20) as memory:\n"
            "    for _ in range(mib):\n"
            "        memory.write(chunk)\n")
    subprocess.run([sys.executable, "-c", code, str(gib)], check=True)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, root):
        self.root, self.port = root, free_port()
        os.makedirs(os.path.join(root, "data"), exist_ok=True)
        with open(os.path.join(root, "nginx.conf"), "w") as f:
            # As root, workers must run as root too, or they cannot write the temp folder.
            f.write(NGINX_CONF.format(root=root, port=self.port, user="user root;" if os.geteuid() == 0 else ""))
        self.err = open(os.path.join(root, "stderr.log"), "w")
        self.proc = subprocess.Popen(["nginx", "-p", root, "-c", os.path.join(root, "nginx.conf")],
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        import socket
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start: " + open(os.path.join(root, "error.log")).read())

    def url(self, base):
        return f"http://127.0.0.1:{self.port}/{base}"

    def clear(self, base):
        shutil.rmtree(os.path.join(self.root, "data", base), ignore_errors=True)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.err.close()


def images_of(project):
    """(sha256, path, bytes) of every image the build wrote, from its output manifest."""
    with open(os.path.join(project, "outputs/manifest.json")) as f:
        files = json.load(f)["files"]
    return [(f["sha256"], os.path.join(project, "outputs", f["path"]), f["bytes"]) for f in files]


def records_of(source, copies):
    """(action key, path) of every record in `source` (the store's ac/ folder), copied to `copies`
    so curl uploads files that no run deletes."""
    os.makedirs(copies, exist_ok=True)
    found = []
    for name in sorted(os.listdir(source)):
        shutil.copyfile(os.path.join(source, name), os.path.join(copies, name))
        found.append((name, os.path.join(copies, name)))
    return found


def curl_config(lines, path):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--fake", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--answer-bytes", type=int, default=1_800_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=16, help="curl --parallel-max (kiln: 16 uploads, 32 downloads)")
    parser.add_argument("--only", choices=["upload", "download"], default=None, help="measure one direction only")
    parser.add_argument("--settle", type=float, default=None,
                        help="seconds to wait after sync before each measured command (35; 3 when caches are dropped)")
    parser.add_argument("--touch", type=float, default=3,
                        help="GiB of memory written and given back right before each command (0: none)")
    parser.add_argument("--dir", default=None)
    options = parser.parse_args()
    install_signal_handlers()
    work = options.dir or tempfile.mkdtemp(prefix="kiln-bench-remote-")
    project = os.path.join(work, "project")
    write_generations_project(project, options.count)
    with FakeOpenAI(options.fake, latency_ms=0, answer_bytes=options.answer_bytes) as fake:
        run_measured([options.kiln, "build", "--jobs", "32", "--no-gallery"], cwd=project, env=fake.env())
    images = images_of(project)
    total = sum(b for _, _, b in images)
    print(f"{len(images)} images, {total / 1e6:.0f} MB; nginx WebDAV on loopback; {os.cpu_count()} cores; "
          f"load before {os.getloadavg()[0]:.2f}", flush=True)
    nginx = Nginx(os.path.join(work, "nginx"))
    env = dict(os.environ)
    for name in ("KILN_REMOTE_CACHE", "KILN_CACHE_SIGNING_KEY", "KILN_REMOTE_CACHE_READ_ONLY"):
        env.pop(name, None)
    results = {"kiln push": [], "curl PUT": [], "kiln pull": [], "curl GET": []}
    scratch = os.path.join(work, "scratch")

    def curl_configs():
        """curl's lists: the images and the records kiln's first push put on nginx (copied aside)."""
        records = records_of(os.path.join(nginx.root, "data/kiln/ac"), os.path.join(work, "records"))
        put = curl_config([f'upload-file = "{p}"\nurl = "{nginx.url("peer/cas/" + s)}"' for s, p, _ in images]
                          + [f'upload-file = "{p}"\nurl = "{nginx.url("peer/ac/" + k)}"' for k, p in records],
                          os.path.join(work, "put.curl"))
        get = curl_config([f'url = "{nginx.url("peer/ac/" + k)}"\noutput = "{scratch}/ac-{k}"' for k, _ in records]
                          + [f'url = "{nginx.url("peer/cas/" + s)}"\noutput = "{scratch}/{s}"' for s, _, _ in images],
                          os.path.join(work, "get.curl"))
        return put, get

    curl = ["curl", "--silent", "--show-error", "--fail", "--parallel", "--parallel-max", str(options.parallel)]

    def settle(*reads):
        """The same start for every command: see the module's docstring."""
        subprocess.run(["sync"], check=True)
        if can_drop:
            with open(DROP_CACHES, "w") as f:
                f.write("3\n")
            # The programs' own pages too: kiln's binary, curl, nginx (a request it answers 404).
            for warm in ([options.kiln, "--version"], ["curl", "-s", "-o", "/dev/null", nginx.url("warm")]):
                subprocess.run(warm, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for top in reads:
                for folder, _, names in os.walk(top):
                    for name in names:
                        with open(os.path.join(folder, name), "rb") as f:
                            while f.read(1 << 20):
                                pass
        time.sleep(options.settle if options.settle is not None else (3 if can_drop else 35))
        touch_memory(options.touch)

    can_drop = os.access(DROP_CACHES, os.W_OK)
    print("before each command: sync, " + ("caches dropped and the command's inputs read in" if can_drop
                                           else "no cache drop (not root)")
          + (f", {options.touch:g} GiB of memory touched" if options.touch > 0 else ""), flush=True)
    store = os.path.join(nginx.root, "data")

    try:
        uploads, downloads = options.only != "download", options.only != "upload"
        for run in range(options.runs):
            if uploads or run == 0:
                nginx.clear("kiln")
                settle(os.path.join(project, ".kiln/cache"))
                push = run_measured([options.kiln, "cache", "push", "--remote-cache", nginx.url("kiln")], cwd=project, env=env)
                if uploads:
                    results["kiln push"].append(push)
            if run == 0:
                put_config, get_config = curl_configs()
            if uploads:
                nginx.clear("peer")
                settle(os.path.join(project, "outputs"), os.path.join(work, "records"))
                results["curl PUT"].append(run_measured(curl + ["--config", put_config], cwd=work))
            if not downloads:
                print(f"run {run + 1}: " + "; ".join(f"{k} {v[-1].wall:.2f} s" for k, v in results.items() if v), flush=True)
                continue
            if run == 0 and not uploads:
                # The store of the peer's objects, once: curl's GETs read it.
                nginx.clear("peer")
                subprocess.run(curl + ["--config", put_config], cwd=work, check=True)
            # An empty local cache (--cache-dir): every answer kiln.lock names comes from nginx.
            empty = os.path.join(work, "empty-cache")
            shutil.rmtree(empty, ignore_errors=True)
            settle(os.path.join(store, "kiln"))
            results["kiln pull"].append(run_measured([options.kiln, "cache", "pull", "--cache-dir", empty,
                                                      "--remote-cache", nginx.url("kiln")], cwd=project, env=env))
            shutil.rmtree(empty, ignore_errors=True)
            shutil.rmtree(scratch, ignore_errors=True)
            os.makedirs(scratch)
            settle(os.path.join(store, "peer"))
            results["curl GET"].append(run_measured(curl + ["--config", get_config], cwd=work))
            shutil.rmtree(scratch, ignore_errors=True)
            print(f"run {run + 1}: " + "; ".join(f"{k} {v[-1].wall:.2f} s" for k, v in results.items() if v), flush=True)
    finally:
        nginx.stop()
    print(f"\n| what | wall (median of {options.runs}) | MB/s | CPU s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    rates = {}
    for name, ms in results.items():
        if not ms:
            continue
        wall = median([m.wall for m in ms])
        rates[name] = total / 1e6 / wall
        print(f"| {name} | {wall:.2f} s | {rates[name]:.0f} | {median([m.cpu for m in ms]):.2f} | {max(m.rss_mib for m in ms):.0f} |")
    ratios = [f"{direction}: kiln {rates[ours] / rates[peer]:.3f} × curl"
              for direction, ours, peer in (("upload", "kiln push", "curl PUT"), ("download", "kiln pull", "curl GET"))
              if ours in rates]
    print("\n" + "; ".join(ratios) + " (target ≥ 0.80)")
    for direction, ours, peer in (("upload", "kiln push", "curl PUT"), ("download", "kiln pull", "curl GET")):
        if results[ours]:
            each = [p.wall / k.wall for k, p in zip(results[ours], results[peer])]
            print(f"{direction}, run by run (curl's wall / kiln's): " + ", ".join(f"{r:.2f}" for r in each))
    print(f"load after {os.getloadavg()[0]:.2f}")
    if not options.dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
