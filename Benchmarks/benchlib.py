"""What the Python benchmark drivers share: timing a whole process (wall, CPU, peak RSS, from the
kernel's accounting of the child, not sampled), stopping every process a driver started, and the
fake OpenAI server on loopback. The projects the benchmarks build and the inputs they read are in
benchprojects.py, re-exported here for the drivers that use them as benchlib.write_*_project.

Used by Benchmarks/peers.py (and its Benchmarks/Peers/ modules), Benchmarks/MemoryBench/paid_build.py
and Benchmarks/NoopBench/noop_bench.py (which put this folder on sys.path).
"""
import os, re, signal, statistics, subprocess, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SDK_DRIVER = os.path.join(ROOT, "Benchmarks/openai/python_sdk_drive.py")

# Every process a driver started and has not reaped yet; stop_all() ends them (at exit, on Ctrl-C
# or SIGTERM), so nothing is left listening or building.
_live = {}


def stop_all():
    for proc in list(_live.values()):
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 5
    for proc in list(_live.values()):
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _live.clear()


interrupted = False


def install_signal_handlers():
    """Ctrl-C, SIGTERM and SIGHUP end the driver through `finally`, so servers stop (SIGINT too
    when the driver was started with it ignored, as a background job of a script is)."""
    def raise_interrupt(signum, frame):
        global interrupted
        interrupted = True
        raise KeyboardInterrupt(f"signal {signum}")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, raise_interrupt)


def _die_with_parent():
    """In a server child before exec: the kernel sends it SIGTERM if the driver dies, even by
    SIGKILL, so no fake is left listening."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Measured:
    """One whole process (or several run side by side): wall seconds, user+sys CPU seconds of the
    process and every descendant it waited for, and peak resident memory in MiB (for several
    processes, the sum of their peaks: an upper bound of what they held together)."""

    def __init__(self, wall, user, system, rss_mib, output=""):
        self.wall, self.user, self.system, self.rss_mib, self.output = wall, user, system, rss_mib, output

    @property
    def cpu(self):
        return self.user + self.system

    def __repr__(self):
        return f"wall {self.wall:.3f} s, cpu {self.cpu:.2f} s, peak {self.rss_mib:.0f} MiB"


def _spawn(cmd, cwd, env, out, err):
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    _live[proc.pid] = proc
    return proc


def _reap(proc):
    """os.wait4 on the child: its exit status and its rusage (the child and the descendants it
    waited for: CPU summed, ru_maxrss the largest one's peak, in KiB on Linux)."""
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:
            continue
    proc.returncode = os.waitstatus_to_exitcode(status)
    _live.pop(proc.pid, None)
    return usage


def run_measured(cmds, cwd=None, env=None, check=True, keep_output=False):
    """Runs one command (a list of strings) or several side by side (a list of lists), timed from
    just before the first starts to when the last is reaped. Output goes to a temporary file
    (never a pipe, which could fill while we sit in wait4): kept when keep_output, and shown when
    a command fails and check is set."""
    several = bool(cmds) and isinstance(cmds[0], (list, tuple))
    cmds = cmds if several else [cmds]
    logs = [tempfile.TemporaryFile() for _ in cmds]
    try:
        start = time.perf_counter()
        procs = [_spawn(cmd, cwd, env, log, subprocess.STDOUT) for cmd, log in zip(cmds, logs)]
        usages = [_reap(proc) for proc in procs]
        wall = time.perf_counter() - start
        texts = []
        for log in logs:
            log.seek(0)
            texts.append(log.read().decode(errors="replace"))
    finally:
        for log in logs:
            log.close()
    for cmd, proc, text in zip(cmds, procs, texts):
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode} in {cwd}:\n{text[-3000:]}")
    return Measured(wall, sum(u.ru_utime for u in usages), sum(u.ru_stime for u in usages),
                    sum(u.ru_maxrss for u in usages) / 1024, "\n".join(texts) if keep_output else "")


class FakeOpenAI:
    """`openai-fake` on 127.0.0.1 and a port the kernel picks; a context manager that stops it.
    env() is the environment that points a client (Kiln, the openai SDK) at it."""

    def __init__(self, binary, latency_ms=200, answer_bytes=None, backlog=None, extra=()):
        cmd = [binary, "--host", "127.0.0.1", "--port", "0", "--latency-ms", str(latency_ms)] + list(extra)
        if answer_bytes:
            cmd += ["--answer-bytes", str(answer_bytes)]
        if backlog:
            cmd += ["--backlog", str(backlog)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                                     preexec_fn=_die_with_parent)
        _live[self.proc.pid] = self.proc
        line = self.proc.stdout.readline()  # "fake OpenAI listening on http://127.0.0.1:PORT/v1"
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"openai-fake did not start: {line!r}")
        self.base_url = match.group(1)

    def env(self, base=None):
        env = dict(base if base is not None else os.environ)
        env.update(OPENAI_BASE_URL=self.base_url, OPENAI_API_KEY="sk-bench-not-a-key")
        return env

    def cpu_seconds(self):
        """The server's own user+sys CPU so far (it shares the cores with the client)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _live.pop(self.proc.pid, None)
        self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def median(values):
    return statistics.median(values)


# The projects and inputs, for the drivers that reach them through benchlib.
from benchprojects import (fresh, noisy_png, tiny_png, write_chains_project, write_derive_project,  # noqa: E402,F401
                           write_generations_project, write_ninja_project, write_noop_project, write_plan_project)
