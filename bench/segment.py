"""Segmentation benchmark: held-out IoU and CPU training time of `carclf.segment`'s U-Net, for a few recipes.

    python bench/segment.py [--threads N] [--only TEXT]

Each recipe trains `seg_learner` (a U-Net on EfficientNet-Lite0, its encoder pretrained on ImageNet or randomly
initialised) on `synth_cars(n=100, size=S, n_test=20)` (480 training and 120 validation pictures) and is scored
by `seg_scores` on the 120 held-out test pictures. "fit" is `fit_one_cycle` with every layer trainable;
"fine_tune" is lesson 1's recipe (`freeze_epochs` with the encoder frozen, then the rest unfrozen).
Timings are for training alone: wall-clock seconds and the process's CPU seconds (on a shared machine wall
time depends on the load, so both are printed). The figures are quoted in nbs/api/06_segment.ipynb, never asserted.

Measured 2026-11-30 on the shared 2-core CPU (torch threads 2, MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_
exported as the Makefile does), training wall s / held-out mean IoU:
pretrained fit 3: 33 / 0.885; random fit 3: 44 / 0.835; pretrained fit 2: 23 / 0.845; random fit 2: 23 / 0.751;
pretrained fit 3 lr 3e-3: 34 / 0.884; pretrained fine_tune 1+2: 33 / 0.881; pretrained fit 6 (the notebook's
recipe): 68 / 0.915; random fit 6: 71 / 0.896; pretrained 96px fit 3: 53 / 0.899.
"""
import time, warnings
import torch
from fastcore.script import call_parse
from fastai.vision.all import set_seed
from carclf.synth import synth_cars
from carclf.data import get_test_images
from carclf.segment import seg_dls, seg_learner, seg_scores

RECIPES = { # name: (pretrained, size, bs, how, epochs, lr)
    'pretrained, fit 3 epochs':              (True,  64, 4, 'fit', 3, 1e-2),
    'random init, fit 3 epochs':             (False, 64, 4, 'fit', 3, 1e-2),
    'pretrained, fit 2 epochs':              (True,  64, 4, 'fit', 2, 1e-2),
    'random init, fit 2 epochs':             (False, 64, 4, 'fit', 2, 1e-2),
    'pretrained, fit 3 epochs, lr 3e-3':     (True,  64, 4, 'fit', 3, 3e-3),
    'pretrained, fine_tune 1+2 epochs':      (True,  64, 4, 'fine_tune', 2, 1e-2),
    'notebook: pretrained, fit 6 epochs':    (True,  64, 4, 'fit', 6, 1e-2),
    'random init, fit 6 epochs':             (False, 64, 4, 'fit', 6, 1e-2),
    'pretrained, 96px, fit 3 epochs':        (True,  96, 4, 'fit', 3, 1e-2),
}

def run(pretrained, size, bs, how, epochs, lr):
    "Train one recipe; return training wall seconds, CPU seconds and the held-out `seg_scores`"
    root = synth_cars(n=100, size=size, n_test=20)
    set_seed(42)
    learn = seg_learner(seg_dls(root, size=size, bs=bs), pretrained=pretrained)
    t, c = time.perf_counter(), time.process_time()
    with learn.no_bar(), learn.no_logging():
        if how=='fine_tune': learn.fine_tune(epochs, lr, freeze_epochs=1)
        else: learn.unfreeze(); learn.fit_one_cycle(epochs, lr)
    wall, cpu = time.perf_counter()-t, time.process_time()-c
    with learn.no_bar(): return wall, cpu, seg_scores(learn, get_test_images(root))

@call_parse
def main(threads:int=0, # torch threads; 0: torch's choice
         only:str=None): # run only the recipes whose name contains this
    "Train each recipe and print a markdown table of held-out IoU and training time"
    warnings.filterwarnings('ignore')
    if threads: torch.set_num_threads(threads)
    print(f'torch threads: {torch.get_num_threads()}')
    print('| recipe | train wall s | train CPU s | mean IoU | IoU body | IoU window | IoU wheel | mean Dice |')
    print('|---|---|---|---|---|---|---|---|')
    for name, cfg in RECIPES.items():
        if only and only not in name: continue
        wall, cpu, s = run(*cfg)
        print(f"| {name} | {wall:.0f} | {cpu:.0f} | {s.loc['mean','iou']:.3f} | {s.loc['body','iou']:.3f} | "
              f"{s.loc['window','iou']:.3f} | {s.loc['wheel','iou']:.3f} | {s.loc['mean','dice']:.3f} |", flush=True)
