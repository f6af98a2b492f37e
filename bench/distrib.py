"""`carclf train` in one process vs two processes started by `torchrun`: `python bench/distrib.py [--seeds 42,1]`

Both train the default recipe on the default generated cars (`synth_cars()`), each run in fresh processes, as a user
would type it. Two processes on this 2-core machine use one core each (torchrun sets OMP_NUM_THREADS=1), and share each
step's batch of 32 pictures (`--bs` is the batch of all processes together); the first process checks the model on the
180 held-out pictures and writes it. Prints the held-out accuracy and training time of each run.
Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import re, subprocess, sys, tempfile
from pathlib import Path
from fastcore.script import call_parse

BIN = Path(sys.executable).parent

def train(launcher:list, seed:int) -> tuple:
    "(held-out accuracy %, training s) of one `carclf train` run"
    with tempfile.TemporaryDirectory() as d:
        out = subprocess.run([*launcher, BIN/'carclf', 'train', '--seed', str(seed), '--out', d], capture_output=True, text=True,
                             check=True).stdout
    m = re.search(r'held-out accuracy: ([\d.]+)% .*training time: (\d+) s', out)
    return float(m[1]), int(m[2])

@call_parse
def main(seeds:str='42,1'): # a run of each kind per seed
    "Print a markdown table: one process vs two, per seed"
    print('| seed | 1 process: held-out | s | 2 processes (torchrun): held-out | s |\n|---|---|---|---|---|')
    for seed in map(int, seeds.split(',')):
        one = train([], seed)
        two = train([BIN/'torchrun', '--standalone', '--nproc_per_node', '2'], seed)
        print(f'| {seed} | {one[0]:.1f}% | {one[1]} | {two[0]:.1f}% | {two[1]} |', flush=True)
