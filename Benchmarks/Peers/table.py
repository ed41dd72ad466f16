"""The table's pieces every row module shares: Row (one line of the markdown table Benchmarks/peers.py
prints), the cell formatters yes() and ms(), and log() for the progress lines printed as rows run."""


def log(message):
    print(message, flush=True)


class Row:
    def __init__(self, measure, peer, peer_fig="—", kiln_fig="—", ratio="—", target="—", met="—", note=""):
        self.cells = [measure, peer, peer_fig, kiln_fig, ratio, target, met, note]


def yes(ok):
    return "**met**" if ok else "not met"


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"
