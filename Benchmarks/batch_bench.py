#!/usr/bin/env python3
"""Batch mode (issue 17): the whole `kiln` binary beside a script using the official openai SDK,
against openai-fake's Batch API on loopback, in the same sitting.

  submit   `kiln build --batch` on a project of N generations (default 50,000): plan, write the JSONL
           (split at the service's limits), upload it, create the batch, record it
           vs  the SDK script: the same N lines written to a file, files.create, batches.create
  collect  `kiln build --batch` once a batch of M (default 1,000) ~1.8 MB answers has finished:
           download the output file, check and store every image in the cache, write outputs/
           vs  the SDK script: files.content streamed to disk, then each line's b64_json decoded to a file

Wall time from outside, CPU and peak RSS from wait4.

  python3 Benchmarks/batch_bench.py --kiln $PWD/.build/release/kiln --fake $PWD/.build/release/openai-fake \\
      [--submit-steps 50000] [--collect-steps 1000] [--answer-bytes 1800000]
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import FakeOpenAI, install_signal_handlers, run_measured  # noqa: E402
from benchprojects import write_generations_project  # noqa: E402

SUBMIT_PEER = r'''
import json, os, sys
from openai import OpenAI
n, folder = int(sys.argv[1]), sys.argv[2]
client = OpenAI()
path = os.path.join(folder, "input.jsonl")
with open(path, "w") as f:
    for i in range(n):
        body = {"model": "gpt-image-1.5", "prompt": f"icon v{i}", "size": "1024x1024", "quality": "low", "n": 1}
        f.write(json.dumps({"custom_id": f"line-{i}", "method": "POST", "url": "/v1/images/generations", "body": body}) + "\n")
with open(path, "rb") as f:
    upload = client.files.create(file=f, purpose="batch")
batch = client.batches.create(input_file_id=upload.id, endpoint="/v1/images/generations", completion_window="24h")
print(batch.id)
'''

COLLECT_PEER = r'''
import base64, json, os, sys
from openai import OpenAI
file_id, folder = sys.argv[1], sys.argv[2]
client = OpenAI()
path = os.path.join(folder, "output.jsonl")
client.files.content(file_id).write_to_file(path)
os.makedirs(os.path.join(folder, "images"), exist_ok=True)
count = 0
with open(path) as f:
    for line in f:
        result = json.loads(line)
        for k, image in enumerate(result["response"]["body"]["data"]):
            with open(os.path.join(folder, "images", f"{result['custom_id']}-{k}.png"), "wb") as out:
                out.write(base64.b64decode(image["b64_json"]))
            count += 1
print(count)
'''


def write_project(directory, steps):
    """`steps` generations of 1024x1024 in assets of at most 10,000 variants (the manifest's limit)."""
    write_generations_project(directory, 1)
    with open(os.path.join(directory, "pipelines/bulk.yaml"), "w") as f:
        f.write("version: 1\ndefaults: { provider: openai, model: gpt-image-1.5, size: 1024x1024, quality: low }\nassets:\n")
        for a, start in enumerate(range(0, steps, 10_000)):
            values = ", ".join(f"v{i}" for i in range(start, min(steps, start + 10_000)))
            f.write(f"  icon{a}:\n    matrix:\n      n: [{values}]\n    prompt: \"icon {{{{n}}}}\"\n"
                    f"    output: \"icons/{{{{n}}}}.png\"\n")
    return directory


def batches(fake):
    request = urllib.request.Request(fake.base_url + "/batches?limit=100", headers={"Authorization": "Bearer sk-bench-not-a-key"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["data"]


def row(name, m, extra=""):
    print(f"| {name} | {m.wall:.2f} s | {m.cpu:.2f} | {m.rss_mib:.0f} |{extra}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--fake", required=True)
    parser.add_argument("--submit-steps", type=int, default=50_000)
    parser.add_argument("--collect-steps", type=int, default=1000)
    parser.add_argument("--answer-bytes", type=int, default=1_800_000)
    options = parser.parse_args()
    install_signal_handlers()
    work = tempfile.mkdtemp(prefix="kiln-bench-batch-")
    try:
        print(f"{os.cpu_count()} cores; load before {os.getloadavg()[0]:.2f}\n")
        print("| what | wall | CPU s | peak RSS MiB |\n|---|---|---|---|", flush=True)
        # Submitting: the fake answers slowly (nothing is collected here), so only the submission is timed.
        with FakeOpenAI(options.fake, latency_ms=0, extra=["--batch-lines-per-second", "1"]) as fake:
            project = write_project(os.path.join(work, "submit"), options.submit_steps)
            m = run_measured([options.kiln, "build", "--batch", "--no-gallery"], cwd=project, env=fake.env())
            row(f"kiln build --batch: plan + JSONL + upload + create, {options.submit_steps:,} steps", m)
            peer = os.path.join(work, "peer-submit")
            os.makedirs(peer)
            m = run_measured([sys.executable, "-c", SUBMIT_PEER, str(options.submit_steps), peer], cwd=peer, env=fake.env())
            row(f"openai SDK script: JSONL + upload + create, {options.submit_steps:,} lines", m)
        # Collecting: a batch of realistic answers, finished, then read back by each.
        with FakeOpenAI(options.fake, latency_ms=0, answer_bytes=options.answer_bytes,
                        extra=["--batch-lines-per-second", "100000"]) as fake:
            project = write_project(os.path.join(work, "collect"), options.collect_steps)
            run_measured([options.kiln, "build", "--batch", "--no-gallery"], cwd=project, env=fake.env())
            deadline = time.time() + 1800
            while time.time() < deadline:
                done = [b for b in batches(fake) if b["status"] == "completed"]
                if done:
                    break
                time.sleep(1)
            output = done[0]["output_file_id"]
            peer = os.path.join(work, "peer-collect")
            os.makedirs(peer)
            m = run_measured([sys.executable, "-c", COLLECT_PEER, output, peer], cwd=peer, env=fake.env())
            row(f"openai SDK script: download + decode {options.collect_steps:,} images to files", m)
            shutil.rmtree(peer, ignore_errors=True)
            m = run_measured([options.kiln, "build", "--batch", "--no-gallery"], cwd=project, env=fake.env())
            images = len(os.listdir(os.path.join(project, "outputs/icons")))
            row(f"kiln build --batch: collect {options.collect_steps:,} answers into the cache + outputs", m,
                f" ({images} images in outputs/)")
        print(f"\nload after {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
