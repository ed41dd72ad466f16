"""The parts of Benchmarks/peers.py (the entry point, which puts Benchmarks/ on sys.path):

    table.py    Row (one line of the markdown table), the cell formatters yes()/ms(), log()
    install.py  finding the peers, installing the missing ones: openai, pyvips (pip), ninja,
                ImageMagick (apt-get when root); version_of() for the peers line
    paid.py     paid builds through the fake OpenAI: Kiln vs the openai SDK script
    derive.py   derive PNG → WebP: Kiln vs pyvips and ImageMagick `convert`
    local.py    no provider call to wait on, or an in-process one: no-op builds vs ninja,
                validate/plan, chains end to end through the fake, kiln-bench-engine

Processes, timing and the fake server come from Benchmarks/benchlib.py; the projects the rows build
from Benchmarks/benchprojects.py.
"""
