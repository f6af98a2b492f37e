"""Speed of the car picture generator: `python bench/synth.py [--n 120] [--size 192] [--reps 3]`

Generates the default set (6 classes x (n train + 30 test), with masks) into a temporary folder `reps` times
and prints images/s for the whole job (drawing + JPEG + PNG mask writing) and for drawing alone.
Records go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import argparse, os, platform, shutil, tempfile, time
from pathlib import Path
import numpy as np
from carclf.synth import CLASSES, draw_car, synth_cars

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=120, help='training pictures per class')
    p.add_argument('--size', type=int, default=192, help='picture size in pixels')
    p.add_argument('--reps', type=int, default=3, help='repetitions; the best is reported')
    a = p.parse_args()
    total = len(CLASSES)*(a.n+30)
    wall, cpu = [], [] # CPU time of this process says what an idle machine would do, on a shared one
    for _ in range(a.reps):
        d = Path(tempfile.mkdtemp())
        t0,c0 = time.perf_counter(), time.process_time()
        synth_cars(n=a.n, size=a.size, dest=d/'cars')
        wall.append(time.perf_counter()-t0); cpu.append(time.process_time()-c0)
        shutil.rmtree(d)
    rng,c0 = np.random.default_rng(0), time.process_time()
    for i in range(total): draw_car(CLASSES[i%len(CLASSES)], a.size, rng)
    draw = time.process_time()-c0
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"synth_cars(n={a.n}, size={a.size}): {total} pictures + masks, best of {a.reps}: {min(wall):.2f} s wall "
          f"= {total/min(wall):.0f} images/s; {min(cpu):.2f} s CPU = {total/min(cpu):.0f} images/s on one idle core; "
          f"drawing alone {total/draw:.0f} images/s (CPU)")

if __name__ == '__main__': main()
