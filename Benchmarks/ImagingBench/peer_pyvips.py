#!/usr/bin/env python3
"""The pyvips peer of kiln-bench-imaging: 1024² PNG → 256 px WebP thumbnails per second.

Reads the source PNG the Swift benchmark wrote (default /tmp/kiln-bench-source.png) so both decode
the same bytes, and runs N concurrent workers in a thread pool (pyvips releases the GIL inside
libvips calls). Two variants: `thumbnail_buffer` (what a pyvips user would write) and
`mirror` (new_from_buffer + thumbnail_image force + webpsave, the same calls Kiln's derive makes).

    pip install pyvips && python3 peer_pyvips.py [--iterations 200] [--concurrency 1,2,4,8]

With --files LIST --out DIR it is instead one worker process of Benchmarks/peers.py's derive row:
each input file named in LIST (one path a line) becomes DIR/NAME.webp, 256 px, one after another.
"""
import argparse
import concurrent.futures
import os
import time

import pyvips


def idiomatic(data):
    return pyvips.Image.thumbnail_buffer(data, 256, height=256).webpsave_buffer(Q=80, strip=True)


def mirror(data):
    image = pyvips.Image.new_from_buffer(data, "")
    return image.thumbnail_image(256, height=256, size="force").webpsave_buffer(Q=80, strip=True)


def run(fn, data, count, concurrency):
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        for out in pool.map(lambda _: fn(data), range(count)):
            assert len(out) > 0
    return time.perf_counter() - start


def files(listing, out, side):
    """What a pyvips user's asset script does with a folder of PNGs: thumbnail each file to WebP."""
    os.makedirs(out, exist_ok=True)
    with open(listing) as f:
        paths = [line.strip() for line in f if line.strip()]
    for path in paths:
        name = os.path.splitext(os.path.basename(path))[0]
        pyvips.Image.thumbnail(path, side, height=side).webpsave(os.path.join(out, name + ".webp"), Q=80, strip=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--concurrency", default="1,2,4,8")
    parser.add_argument("--source", default="/tmp/kiln-bench-source.png")
    parser.add_argument("--files", help="a file listing input PNGs, one path a line (worker mode)")
    parser.add_argument("--out", help="where the worker writes NAME.webp")
    parser.add_argument("--side", type=int, default=256)
    args = parser.parse_args()
    pyvips.cache_set_max(0)  # as Kiln does: every input is different
    if args.files:
        files(args.files, args.out, args.side)
        return
    with open(args.source, "rb") as f:
        data = f.read()
    print(f"pyvips {pyvips.__version__}, libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, "
          f"cores {os.cpu_count()}, source {len(data)} bytes")
    for name, fn in (("thumbnail_buffer", idiomatic), ("mirror", mirror)):
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            run(fn, data, max(4, concurrency * 2), concurrency)
            seconds = run(fn, data, args.iterations, concurrency)
            rate = args.iterations / seconds
            print(f"pyvips {name:16} concurrency {concurrency:2d}: {args.iterations:4d} images in {seconds:6.2f} s "
                  f"= {rate:6.1f} images/s ({1000 / rate:5.1f} ms each)")


if __name__ == "__main__":
    main()
