"""The inputs and projects the Python benchmark drivers build: PNG makers (tiny_png, noisy_png) and
the write_*_project writers (a Kiln project under pipelines/, or ninja's build.ninja for the no-op).

Used by Benchmarks/Peers/ (for Benchmarks/peers.py) and, through benchlib (which re-exports it),
by Benchmarks/MemoryBench/paid_build.py and Benchmarks/NoopBench/noop_bench.py.
"""
import os, random, shutil, struct, zlib


# ---- inputs --------------------------------------------------------------------------------------

def _png(width, height, rows, level=6, color_type=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + row for row in rows), level)) + chunk(b"IEND", b""))


def tiny_png(seed):
    """A 16x16 RGB PNG whose pixels depend on seed (distinct bytes → distinct cache keys)."""
    rows = [b"".join(bytes(((x * 7 + y * 13 + seed) % 256, seed % 256, (seed >> 8) % 256)) for x in range(16))
            for y in range(16)]
    return _png(16, 16, rows)


def noisy_png(seed, side=1024):
    """A side x side RGB PNG: a diagonal gradient with noise in the low six bits, different for
    every seed, ~2.4 MB at 1024² (like a photo-ish generated image, not a flat placeholder)."""
    rng = random.Random(seed)
    tables = [bytes((offset + (b & 63)) & 255 for b in range(256)) for offset in range(0, 256, 4)]
    rows = [rng.randbytes(side * 3).translate(tables[(y * 64 // side + seed) % 64]) for y in range(side)]
    return _png(side, side, rows, level=1)


# ---- projects ------------------------------------------------------------------------------------

def fresh(directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(os.path.join(directory, "pipelines"))
    return directory


def write_generations_project(directory, images, in_flight=64):
    """N generations of 1024x1024 (one matrix asset), provider openai, with `max_in_flight` raised to
    `in_flight` (Kiln's default is 16 per provider): `--jobs 64` then means 64 calls at once, like the peer."""
    fresh(directory)
    values = ", ".join(f"v{i}" for i in range(images))
    with open(os.path.join(directory, "pipelines/bulk.yaml"), "w") as f:
        f.write(f"version: 1\nproviders:\n  openai: {{ max_in_flight: {in_flight} }}\n"
                "defaults: { provider: openai, model: gpt-image-1.5, size: 1024x1024, quality: low }\n"
                f"assets:\n  icon:\n    matrix:\n      n: [{values}]\n    prompt: \"icon {{{{n}}}}\"\n"
                "    output: \"icons/{{n}}.png\"\n")
    return directory


def write_noop_project(directory, assets):
    """`assets` derive steps, each from its own 16x16 PNG input to one output (the no-op bench)."""
    fresh(directory)
    inputs = os.path.join(directory, "pipelines", "inputs")
    os.makedirs(inputs)
    names = [f"t{i:05d}" for i in range(assets)]
    for i, name in enumerate(names):
        with open(os.path.join(inputs, name + ".png"), "wb") as f:
            f.write(tiny_png(i))
    with open(os.path.join(directory, "pipelines", "tiles.yaml"), "w") as f:
        f.write("version: 1\nassets:\n  tile:\n    matrix:\n      t: [" + ", ".join(names) + "]\n"
                "    steps:\n      small:\n"
                "        derive: { from: \"inputs/{{t}}.png\", resize: { width: 8 }, format: png }\n"
                "        output: \"tiles/{{t}}.png\"\n")
    return names


def write_ninja_project(directory, sources):
    """ninja's side of the no-op: one `cp` edge per source file."""
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(os.path.join(directory, "in"))
    with open(os.path.join(directory, "build.ninja"), "w") as f:
        f.write("rule cp\n  command = cp $in $out\n")
        for path in sources:
            name = os.path.basename(path)
            shutil.copyfile(path, os.path.join(directory, "in", name))
            f.write(f"build out/{name}: cp in/{name}\n")


def write_plan_project(directory, side=100):
    """The kiln-bench-plan manifest (Benchmarks/PlanBench/main.swift): a side × side matrix, a
    generate step and a derived thumbnail per variant — 10,000 variants, 20,000 steps at 100."""
    fresh(directory)
    axis = ", ".join(f"v{i}" for i in range(1, side + 1))
    with open(os.path.join(directory, "pipelines/grid.yaml"), "w") as f:
        f.write(f"""version: 1
defaults: {{ model: gpt-image-1.5, quality: low }}
vars: {{ style: "flat vector, thick outline" }}
assets:
  grid:
    preset: sticker
    matrix:
      a: [{axis}]
      b: [{axis}]
    prompt:
      - "sticker of item {{{{a}}}} in colourway {{{{b}}}}"
      - "{{{{style}}}}, centered"
    output: grid/{{{{a}}}}/{{{{b}}}}.png
    derive:
      - {{ name: thumb, resize: 128, format: webp, quality: 80, output: "grid/{{{{a}}}}/thumbs/{{{{b}}}}.webp" }}
""")
    return directory


def write_derive_project(directory, input_paths, side=256, quality=80):
    """One derive per input file (linked into pipelines/inputs/), to a side-px WebP."""
    fresh(directory)
    inputs = os.path.join(directory, "pipelines", "inputs")
    os.makedirs(inputs)
    names = []
    for path in input_paths:
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            os.link(path, os.path.join(inputs, name + ".png"))
        except OSError:
            shutil.copyfile(path, os.path.join(inputs, name + ".png"))
        names.append(name)
    with open(os.path.join(directory, "pipelines", "thumbs.yaml"), "w") as f:
        f.write("version: 1\nassets:\n  thumb:\n    matrix:\n      t: [" + ", ".join(names) + "]\n"
                "    steps:\n      small:\n"
                f"        derive: {{ from: \"inputs/{{{{t}}}}.png\", resize: {side}, format: webp, quality: {quality} }}\n"
                "        output: \"thumbs/{{t}}.webp\"\n")
    return directory


def write_chains_project(directory, chains, derive_side=256):
    """`chains` assets, each generate → edit (of the generated image) → derive, provider openai, with
    `max_in_flight` raised so that every chain's call can be in flight at once."""
    fresh(directory)
    values = ", ".join(f"c{i}" for i in range(chains))
    with open(os.path.join(directory, "pipelines/chains.yaml"), "w") as f:
        f.write(f"""version: 1
providers:
  openai: {{ max_in_flight: {chains} }}
defaults: {{ provider: openai, model: gpt-image-1.5, size: 1024x1024, quality: low }}
assets:
  chain:
    matrix:
      c: [{values}]
    steps:
      base:
        generate: {{ prompt: "base image {{{{c}}}}" }}
      edited:
        edit: {{ images: ["@base"], prompt: "the same image {{{{c}}}}, warmer" }}
        output: "chains/{{{{c}}}}.png"
      small:
        derive: {{ from: "@edited", resize: {derive_side}, format: webp, quality: 80 }}
        output: "chains/{{{{c}}}}-{derive_side}.webp"
""")
    return directory
