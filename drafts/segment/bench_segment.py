"""Segmentation benchmark: held-out IoU and CPU training time of `carclf.segment`'s U-Net, for a few recipes.

    python bench/segment.py [--threads N] [--only NAME]

Each recipe trains on `synth_cars(n=100, size=S)` (480 training, 120 validation pictures) and is scored
with `seg_scores` on the 120 held-out test pictures. Timings are wall-clock seconds of `fit` alone, and the
process CPU seconds it used; on a shared machine wall time depends on the load, so both are printed.
Results are recorded in nbs/explanations/benchmarks.ipynb, never asserted.
"""
import argparse, time, warnings
import torch
from fastai.vision.all import set_seed
from carclf.synth import synth_cars
from carclf.data import get_test_images
from carclf.segment import seg_dls, seg_learn, seg_scores

RECIPES = { # name: (size, bs, epochs, fine_tune, pretrained)
    'notebook: 64px bs4, 2 epochs':       (64, 4, 2, False, True),
    '3 epochs':                           (64, 4, 3, False, True),
    'fine_tune(2): 1 frozen + 2 epochs':  (64, 4, 2, True,  True),
    '3 epochs, random init':              (64, 4, 3, False, False),
    '3 epochs, bs 16':                    (64, 16, 3, False, True),
    '96px, 3 epochs':                     (96, 4, 3, False, True),
}

def run(size, bs, epochs, fine_tune, pretrained):
    root = synth_cars(n=100, size=size, n_test=20)
    set_seed(42)
    learn = seg_learn(seg_dls(root, size=size, bs=bs), pretrained=pretrained)
    t, c = time.perf_counter(), time.process_time()
    with learn.no_bar(), learn.no_logging():
        if fine_tune: learn.fine_tune(epochs, 3e-3)
        else: learn.unfreeze(); learn.fit_one_cycle(epochs, 3e-3)
    wall, cpu = time.perf_counter()-t, time.process_time()-c
    with learn.no_bar(): s = seg_scores(learn, get_test_images(root))
    return wall, cpu, s

if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, default=0, help='torch threads (default: torch\'s choice)')
    p.add_argument('--only', default=None, help='run only recipes whose name contains this')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    print(f'torch threads: {torch.get_num_threads()}')
    print('| recipe | fit wall s | fit CPU s | mean IoU | IoU body | IoU window | IoU wheel | mean Dice |')
    print('|---|---|---|---|---|---|---|---|')
    for name, cfg in RECIPES.items():
        if a.only and a.only not in name: continue
        wall, cpu, s = run(*cfg)
        print(f"| {name} | {wall:.0f} | {cpu:.0f} | {s.loc['mean','iou']:.3f} | {s.loc['body','iou']:.3f} | "
              f"{s.loc['window','iou']:.3f} | {s.loc['wheel','iou']:.3f} | {s.loc['mean','dice']:.3f} |", flush=True)
