"""carclf's `tune` vs the plain lesson recipe, and float32 vs bfloat16, in one process:
`python bench/train.py [--size 192] [--epochs 3] [--seeds 42,1,2]`

All runs start from the same generated pictures (`synth_cars()`: 720 training pictures, 20% of them for validation,
180 held-out test pictures), the same architecture and the same offline ImageNet weights (EfficientNet-Lite0):

- plain: the course notebook's code, `vision_learner(dls, arch, metrics=error_rate)` then `learn.fine_tune(epochs)`;
- carclf fp32: `car_learner(dls)` then `tune(learn, bf16=False)`: everything in float32;
- carclf default: `tune(learn)`, which encodes the cached features in bfloat16 where the CPU has bf16 instructions;
- carclf bf16 training: `car_learner(dls, bf16=True)` then `tune(learn)`: the unfrozen epoch in bfloat16 too.

Each carclf recipe runs once per seed. Prints held-out accuracy, training wall time per phase (feature caching,
`lr_find`, head, unfrozen epoch) and the speed-up over the plain recipe. Run it with the malloc settings the Makefile
exports (all recipes get them). Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import os, platform, time, warnings
import torch
from fastcore.script import call_parse
from fastai.vision.all import *
from carclf.synth import synth_cars
from carclf.data import car_dls
from carclf.learner import DEFAULT_ARCH, bf16_native, car_learner, lite0_weights, tune
from carclf.interpret import held_out

def accuracy_on_test(learn, root) -> float:
    with learn.no_bar(): i = held_out(learn, root)
    return (i.preds==i.targs).float().mean().item()

def plain(root, size, epochs) -> dict:
    "The lesson's two lines, with the offline weights passed the way timm takes a local file"
    set_seed(42)
    dls = car_dls(root, size=size)
    learn = vision_learner(dls, DEFAULT_ARCH, metrics=error_rate, pretrained_cfg_overlay=dict(file=str(lite0_weights())))
    t = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fine_tune(epochs)
    return dict(total=time.perf_counter()-t, acc=accuracy_on_test(learn, root))

def carclf(root, size, seed, bf16_features, bf16_training) -> dict:
    "carclf's recipe, as `carclf train` runs it, with the precision of each part chosen"
    dls = car_dls(root, size=size, seed=seed)
    set_seed(seed, reproducible=True); learn = car_learner(dls, bf16=bf16_training)
    hist = tune(learn, seed=seed, bf16=bf16_features, show=False)
    secs = hist.groupby('phase', sort=False).seconds.sum().to_dict()
    return dict(**secs, total=hist.seconds.sum(), acc=accuracy_on_test(learn, root))

@call_parse
def main(size:int=192, # picture size for all recipes
         epochs:int=3, # the plain recipe's fine_tune epochs (the course uses 3)
         seeds:str='42,1,2'): # seeds for each carclf recipe
    "Train the recipes on the generated cars and print markdown tables comparing them"
    warnings.filterwarnings('ignore')
    root = synth_cars()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"bf16 instructions: {bf16_native()}, MALLOC_MMAP_THRESHOLD_={os.environ.get('MALLOC_MMAP_THRESHOLD_', 'unset')}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    p = plain(root, size, epochs)
    print(f"plain fine_tune({epochs}): held-out {p['acc']:.1%}, {p['total']:.0f} s", flush=True)
    recipes = {'carclf fp32': (False, False), 'carclf default': (None, False), 'carclf bf16 training': (None, True)}
    rows = {k: [] for k in recipes}
    for seed in map(int, seeds.split(',')):
        for name, (feats, training) in recipes.items():
            if training and seed!=42: continue # one seed shows its speed
            r = carclf(root, size, seed, feats, training); rows[name].append(r)
            print(f"{name} seed {seed}: held-out {r['acc']:.1%}, " + ', '.join(f"{k} {v:.1f}" for k,v in r.items() if k!='acc'),
                  flush=True)
    print(f'\n| recipe | runs | held-out accuracy | features s | lr_find s | head s | unfrozen s | total s | vs plain |\n'
          f'|---|---|---|---|---|---|---|---|---|\n| plain `fine_tune({epochs})` | 1 | {p["acc"]:.1%} | | | | | {p["total"]:.0f} | 1× |')
    for name, rs in rows.items():
        mean = lambda k: sum(r[k] for r in rs)/len(rs)
        accs = '/'.join(f"{r['acc']:.1%}" for r in rs)
        print(f"| {name} | {len(rs)} | {accs} (mean {mean('acc'):.1%}) | {mean('features'):.1f} | {mean('lr_find'):.1f} | "
              f"{mean('frozen'):.1f} | {mean('unfrozen'):.1f} | {mean('total'):.1f} | {p['total']/mean('total'):.1f}× |")
