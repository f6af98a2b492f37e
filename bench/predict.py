"""Safe predictor vs fastai's `learn.predict`: `python bench/predict.py [--size 192] [--reps 30]`

Trains nothing: a `car_learner` (EfficientNet-Lite0, ImageNet body, new head) is exported with `carclf.export.export`
and loaded back with `load_predictor`; the speed of a forward pass doesn't depend on how well it was trained.
Measures, on the held-out generated pictures (`synth_cars()`, 180 pictures):

- single-picture latency, file in → label out: `Predictor.predict(file)` vs `learn.predict(file)` (median of `reps`);
- batch throughput: `Predictor.predict_batch(files)` vs `learn.get_preds(dl=learn.dls.test_dl(files))`;
- what the channels-last memory layout `Predictor` uses is worth: `predict_batch` again, in the default layout.

Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import os, platform, statistics, tempfile, time, warnings
import torch
from fastcore.script import call_parse
from fastai.vision.all import *
from carclf.synth import synth_cars
from carclf.data import car_dls, get_test_images
from carclf.learner import car_learner
from carclf.export import export, load_predictor

def median_secs(f, reps:int) -> float:
    f() # warm up: first calls allocate
    ts = []
    for _ in range(reps): t = time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return statistics.median(ts)

def secs(f) -> float: t = time.perf_counter(); f(); return time.perf_counter()-t

@call_parse
def main(size:int=192, # picture size the model is exported with
         reps:int=30): # single-picture repetitions; the median is reported
    "Time `Predictor` against `learn.predict` and `get_preds`, and print a markdown table"
    warnings.filterwarnings('ignore')
    root = synth_cars()
    learn = car_learner(car_dls(root, size=size))
    pred = load_predictor(export(learn, tempfile.mkdtemp()))
    files = get_test_images(root)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average {os.getloadavg()[0]:.1f}")
    with learn.no_bar():
        one = dict(fastai=median_secs(lambda: learn.predict(files[0]), reps), carclf=median_secs(lambda: pred.predict(files[0]), reps))
        secs(lambda: pred.predict_batch(files[:8])) # warm up
        many = dict(fastai=secs(lambda: learn.get_preds(dl=learn.dls.test_dl(files))), carclf=secs(lambda: pred.predict_batch(files)))
        pred.model.to(memory_format=torch.contiguous_format) # the layout PyTorch uses unless told otherwise
        pred.prepare = lambda imgs, prep=pred.prepare: prep(imgs).contiguous()
        plain_layout = secs(lambda: pred.predict_batch(files))
    print(f'\n| | `learn.predict` / `get_preds` | `Predictor` | ratio |\n|---|---|---|---|')
    print(f"| one picture, ms (median of {reps}) | {one['fastai']*1e3:.1f} | {one['carclf']*1e3:.1f} | "
          f"{one['fastai']/one['carclf']:.1f}× |")
    print(f"| {len(files)} pictures, pictures/s | {len(files)/many['fastai']:.0f} | {len(files)/many['carclf']:.0f} | "
          f"{many['fastai']/many['carclf']:.1f}× |")
    print(f"\nchannels-last vs the default memory layout, `predict_batch` of {len(files)} pictures: "
          f"{len(files)/plain_layout:.0f} vs {len(files)/many['carclf']:.0f} pictures/s ({plain_layout/many['carclf']:.1f}×)")
