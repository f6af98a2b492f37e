"""Do carclf's pictures look like cars? `python bench/realism.py [--n 30] [--size 192]`

The realism meter anyone can run offline: the untouched ImageNet EfficientNet-Lite0 (the lesson's pretrained network,
before any training) looks at `n` generated pictures per body type, drawn from streams the data sets never use.
Prints, per type: how often its first guess is an ImageNet vehicle (real car photos: 100%), how often a vehicle is
in its top 5, and how often its ImageNet classes, mapped to body types, agree with the drawn type.
Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import numpy as np, pandas as pd, torch
from fastcore.script import call_parse
from carclf.synth import CLASSES, SYNTH_VERSION, draw_car
from imagenet import VEHICLES, body_type, imagenet_lite0, imagenet_probs, is_vehicle

@call_parse
def main(n:int=30, # pictures per body type
         size:int=192, # picture size in pixels
         seed:int=2026 # random seed, apart from the data sets' seeds
        ):
    "Print the realism meter's figures for carclf's generated pictures"
    torch.set_num_threads(2)
    model, rows = imagenet_lite0(), []
    for ci,c in enumerate(CLASSES):
        p = imagenet_probs([draw_car(c, size, np.random.default_rng([seed, ci, i]))[0] for i in range(n)], model)
        top5 = np.isin(p.topk(5).indices.numpy(), list(VEHICLES)).any(1)
        rows.append(dict(type=c, vehicle_top1=is_vehicle(p).mean(), vehicle_top5=top5.mean(),
                         type_agrees=np.mean([t==c for t in body_type(p)]) if c!='hatchback' else np.nan))
    df = pd.DataFrame(rows).set_index('type')
    print(f"synth v{SYNTH_VERSION}, {n} pictures per type at {size} px:")
    print((df*100).round(0).to_string())
    print(f"vehicle top-1: {df.vehicle_top1.mean():.1%}; type agrees (sports, pickup, van, suv): "
          f"{df.loc[['sports','pickup','van','suv'], 'type_agrees'].mean():.1%}")
