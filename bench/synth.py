"""Speed of the car renderer: `python bench/synth.py [--n 120] [--size 192] [--reps 3]`

Generates the default set (6 classes x (n train + 30 test), pictures and masks) into a temporary folder `reps` times,
on every core as `synth_cars` does, and prints pictures/s for the whole job (rendering, JPEG and PNG writing),
then the rendering alone on one core, split by stage. Records go to nbs/explanations/benchmarks.ipynb;
nothing here is asserted in tests.
"""
import os, platform, shutil, tempfile, time
from collections import defaultdict
from pathlib import Path
import numpy as np
from fastcore.script import call_parse
import carclf.synth as synth

def stage_times(n:int, size:int) -> dict:
    "Seconds per picture spent in each stage of `draw_car`, over `n` pictures on one core"
    secs, orig = defaultdict(float), {}
    def timed(name):
        f = orig[name] = getattr(synth, name)
        def g(*a, **k): t = time.perf_counter(); r = f(*a, **k); secs[name] += time.perf_counter()-t; return r
        return g
    for name in ('car_mesh','scene','camera','rasterise','coverage','materials','shade','backdrop'): setattr(synth, name, timed(name))
    try:
        t = time.perf_counter()
        for i in range(n): synth.draw_car(synth.CLASSES[i%6], size, np.random.default_rng(i))
        secs['all'] = time.perf_counter()-t
    finally:
        for k,f in orig.items(): setattr(synth, k, f)
    return {k: v/n for k,v in secs.items()}

@call_parse
def main(n:int=120, # training pictures per class
         size:int=192, # picture size in pixels
         reps:int=3 # repetitions of the whole job; the best is reported
        ):
    "Print pictures/s of `synth_cars` and the cost of each rendering stage"
    total, wall = len(synth.CLASSES)*(n+30), []
    for _ in range(reps):
        d = Path(tempfile.mkdtemp())
        t0 = time.perf_counter(); synth.synth_cars(n=n, size=size, dest=d/'cars'); wall.append(time.perf_counter()-t0)
        shutil.rmtree(d)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"synth_cars(n={n}, size={size}): {total} pictures + masks, best of {reps}: {min(wall):.1f} s = {total/min(wall):.0f} pictures/s")
    st = stage_times(60, size)
    print(f"one core: {1000*st['all']:.1f} ms a picture ({1/st['all']:.0f}/s): " +
          ', '.join(f"{k} {1000*v:.1f}" for k,v in st.items() if k!='all') + " ms")
