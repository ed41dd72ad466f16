"""The peers: find them, install the missing ones. Python peers (openai, pyvips) with pip, ninja and
ImageMagick with apt-get when root; allow_install=False (--no-install) never installs. ImageMagick
counts only as a real `convert`/`magick` binary that writes WebP, not a wrapper script on PATH.
version_of() reads a peer's version for the peers line."""
import os, re, shutil, subprocess, sys

from Peers.table import log


def run_quiet(cmd):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True).returncode == 0


def python_has(module):
    return run_quiet([sys.executable, "-c", f"import {module}"])


def ensure_python(module, allow_install):
    if python_has(module):
        return True
    if allow_install:
        log(f"installing the {module} peer: {sys.executable} -m pip install -q {module}")
        run_quiet([sys.executable, "-m", "pip", "install", "-q", module])
    return python_has(module)


def apt_install(package, allow_install):
    if not allow_install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    log(f"installing {package}: apt-get install -y -qq {package}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-qq", package]
    if subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0
    return True


def find_ninja(allow_install):
    if not shutil.which("ninja"):
        apt_install("ninja-build", allow_install)
    return shutil.which("ninja")


def is_script(path):
    """A wrapper script (a stand-in that may pass calls on) rather than the program itself."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        return True


def real_imagemagick():
    """A `convert` (or `magick`) that is ImageMagick and writes WebP; PATH may hold stand-ins."""
    candidates = []
    for name in ("magick", "convert"):
        for folder in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin"]:
            path = os.path.join(folder, name)
            if os.access(path, os.X_OK) and path not in candidates and not is_script(path):
                candidates.append(path)
    for path in candidates:
        try:
            version = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=10).stdout
            formats = subprocess.run([path, "-list", "format"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        if version.startswith("Version: ImageMagick") and re.search(r"^\s*WEBP\*?\s+WEBP\s+rw", formats, re.M):
            return path, version.split()[2]
    return None, None


def find_imagemagick(allow_install):
    path, version = real_imagemagick()
    if not path and apt_install("imagemagick", allow_install):
        path, version = real_imagemagick()
    return path, version


def version_of(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "?"
