"""Safe predictor vs fastai's `learn.predict`, in float32 and bfloat16: `python bench/predict.py [--size 192] [--reps 30]`

A `car_learner` (EfficientNet-Lite0, ImageNet body) gets its head trained on cached features (`tune(epochs=0)`, ~15 s),
is exported with `carclf.export.export` and loaded back with `load_predictor`, in float32 and in bfloat16.
Measures, on the held-out generated pictures (`synth_cars()`, 180 pictures):

- single-picture latency, file in → label out: `learn.predict(file)` vs `Predictor.predict(file)` (median of `reps`), for a
  generated 192-pixel picture and for a photo-sized one (the same picture saved at 1600×1200, JPEG);
- batch throughput: `learn.get_preds(dl=learn.dls.test_dl(files))` vs `Predictor.predict_batch(files)`;
- held-out accuracy of each, and how many labels bfloat16 changes;
- what the channels-last memory layout `Predictor` uses is worth: `predict_batch` again, in the default layout.

Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import os, platform, statistics, tempfile, time, warnings
import torch
from fastcore.script import call_parse
from fastai.vision.all import *
from carclf.synth import synth_cars
from carclf.data import car_dls, get_test_images
from carclf.learner import bf16_native, car_learner, tune
from carclf.export import export, load_predictor

def median_secs(f, reps:int) -> float:
    f(); f() # warm up: first calls allocate
    ts = []
    for _ in range(reps): t = time.perf_counter(); f(); ts.append(time.perf_counter()-t)
    return statistics.median(ts)

def secs(f) -> float: f(); t = time.perf_counter(); f(); return time.perf_counter()-t # the second of two runs

@call_parse
def main(size:int=192, # picture size the model is exported with
         reps:int=30): # single-picture repetitions; the median is reported
    "Time `Predictor` against `learn.predict` and `get_preds`, in float32 and bfloat16, and print a markdown table"
    warnings.filterwarnings('ignore')
    root = synth_cars()
    learn = car_learner(car_dls(root, size=size))
    tune(learn, epochs=0, show=False)
    dest = export(learn, tempfile.mkdtemp())
    preds = {'fp32': load_predictor(dest, bf16=False), 'bf16': load_predictor(dest, bf16=True)}
    files = get_test_images(root)
    truth = tensor([learn.dls.vocab.o2i[f.parent.name] for f in files])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"bf16 instructions: {bf16_native()}, load average {os.getloadavg()[0]:.1f}")
    with learn.no_bar():
        one = {'fastai': median_secs(lambda: learn.predict(files[0]), reps)}
        one |= {k: median_secs(lambda: p.predict(files[0]), reps) for k,p in preds.items()}
        big = Path(dest)/'photo.jpg'; PILImage.create(files[0]).resize((1600, 1200)).save(big, quality=90)
        photo = {'fastai': median_secs(lambda: learn.predict(big), reps)} | {k: median_secs(lambda: p.predict(big), reps) for k,p in preds.items()}
        many = {'fastai': secs(lambda: learn.get_preds(dl=learn.dls.test_dl(files)))}
        many |= {k: secs(lambda: p.predict_batch(files)) for k,p in preds.items()}
        probs = {'fastai': learn.get_preds(dl=learn.dls.test_dl(files))[0]} | {k: p.predict_batch(files) for k,p in preds.items()}
    acc = {k: (v.argmax(1)==truth).float().mean().item() for k,v in probs.items()}
    print(f'\n| | `learn.predict` / `get_preds` | `Predictor`, float32 | `Predictor`, bfloat16 | fastai / bfloat16 |\n|---|---|---|---|---|')
    print(f"| one picture, ms (median of {reps}) | {one['fastai']*1e3:.1f} | {one['fp32']*1e3:.1f} | {one['bf16']*1e3:.1f} | "
          f"{one['fastai']/one['bf16']:.1f}× |")
    print(f"| one 1600×1200 photo, ms (median of {reps}) | {photo['fastai']*1e3:.1f} | {photo['fp32']*1e3:.1f} | {photo['bf16']*1e3:.1f} | "
          f"{photo['fastai']/photo['bf16']:.1f}× |")
    print(f"| {len(files)} pictures, pictures/s | {len(files)/many['fastai']:.0f} | {len(files)/many['fp32']:.0f} | "
          f"{len(files)/many['bf16']:.0f} | {many['fastai']/many['bf16']:.1f}× |")
    print(f"| held-out accuracy | {acc['fastai']:.1%} | {acc['fp32']:.1%} | {acc['bf16']:.1%} | |")
    changed = (probs['bf16'].argmax(1)!=probs['fp32'].argmax(1)).sum().item()
    print(f"\nbfloat16 vs float32: {changed} of {len(files)} labels differ, largest probability difference "
          f"{(probs['bf16']-probs['fp32']).abs().max():.3f}")
    p = preds['fp32']
    p.model.to(memory_format=torch.contiguous_format) # the layout PyTorch uses unless told otherwise
    p.prepare = lambda imgs, prep=p.prepare: prep(imgs).contiguous()
    print(f"channels-last vs the default memory layout, float32 `predict_batch` of {len(files)} pictures: "
          f"{len(files)/secs(lambda: p.predict_batch(files)):.0f} vs {len(files)/many['fp32']:.0f} pictures/s")
