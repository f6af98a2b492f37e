"""carclf's `tune` vs the plain lesson recipe, in one process: `python bench/train.py [--size 192] [--epochs 3]`

Both start from the same generated pictures (`synth_cars()`: 720 training pictures, 20% of them for validation,
180 held-out test pictures), the same architecture and the same offline ImageNet weights (EfficientNet-Lite0):

- plain: the course notebook's code, `vision_learner(dls, arch, metrics=error_rate)` then `learn.fine_tune(epochs)`;
- carclf: `car_learner(dls)` then `tune(learn)` (cached features for the frozen epochs, `lr_find`, one unfrozen epoch).

Prints held-out accuracy, training wall time and training pictures per second for each, and the ratios.
Run it with the malloc settings the Makefile exports (both recipes get them). Results go to
nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import os, platform, time, warnings
import torch
from fastcore.script import call_parse
from fastai.vision.all import *
from carclf.synth import synth_cars
from carclf.data import car_dls
from carclf.learner import DEFAULT_ARCH, car_learner, lite0_weights, tune
from carclf.interpret import held_out

def accuracy_on_test(learn, root) -> float:
    i = held_out(learn, root)
    return (i.preds==i.targs).float().mean().item()

def plain(root, size, epochs):
    "The lesson's two lines, with the offline weights passed the way timm takes a local file"
    dls = car_dls(root, size=size)
    learn = vision_learner(dls, DEFAULT_ARCH, metrics=error_rate, pretrained_cfg_overlay=dict(file=str(lite0_weights())))
    t = time.perf_counter()
    learn.fine_tune(epochs)
    return time.perf_counter()-t, learn, (1+epochs)*len(dls.train_ds)

def carclf(root, size, epochs):
    "carclf's defaults, as `carclf train` runs them"
    dls = car_dls(root, size=size)
    set_seed(42, reproducible=True); learn = car_learner(dls)
    hist = tune(learn, show=False)
    return hist.seconds.sum(), learn, 2*len(dls.train_ds)  # one pass to cache features, one unfrozen epoch

@call_parse
def main(size:int=192, # picture size for both recipes
         epochs:int=3): # the plain recipe's fine_tune epochs (the course uses 3)
    "Train both recipes on the generated cars and print a markdown table comparing them"
    warnings.filterwarnings('ignore')
    root = synth_cars()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"MALLOC_MMAP_THRESHOLD_={os.environ.get('MALLOC_MMAP_THRESHOLD_', 'unset')}, load average {os.getloadavg()[0]:.1f}")
    rows = {}
    for name, f in (('plain fine_tune', plain), ('carclf tune', carclf)):
        set_seed(42)
        secs, learn, n = f(root, size, epochs)
        with learn.no_bar(): rows[name] = (accuracy_on_test(learn, root), secs, n/secs)
        print(f"{name}: held-out accuracy {rows[name][0]:.1%}, training {secs:.0f} s, {n/secs:.1f} training pictures/s", flush=True)
    (pa, ps, pi), (ca, cs, ci) = rows.values()
    print('\n| recipe | held-out accuracy | training wall s | training pictures/s |\n|---|---|---|---|')
    for k, (acc, s, ips) in rows.items(): print(f'| {k} | {acc:.1%} | {s:.0f} | {ips:.1f} |')
    print(f'| ratio carclf/plain | {ca-pa:+.1%} | {ps/cs:.1f}× faster | {ci/pi:.1f}× |')
