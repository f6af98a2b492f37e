"""carclf's model on real photographs: `python bench/real.py [--model model] [--photos ~/.carclf/real]`

`photos` holds real car photos the model never saw, one folder per body type (`sedan/`, `suv/`, ...); the project
ships none (see `bench/real_sources.md` for the development set's sources). `model` is a folder written by
`carclf train` (`make demo` writes `model/`). Prints the model's accuracy per type next to a baseline that needs
no training: the ImageNet network's own classes mapped to body types (it has no class for hatchbacks).
Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import sys
from pathlib import Path
import pandas as pd, torch
from PIL import Image
from fastcore.script import call_parse
from carclf.synth import CLASSES, carclf_home
from carclf.export import load_predictor
from imagenet import body_type, imagenet_probs

@call_parse
def main(model:str='model', # folder written by `carclf train`
         photos:str=None # real photos, a folder per body type; default: $CARCLF_HOME/real
        ):
    "Print accuracy on real photos per body type: the exported model vs ImageNet's classes alone"
    root = Path(photos) if photos else carclf_home()/'real'
    files = sorted(f for c in CLASSES for f in (root/c).glob('*') if f.suffix.lower() in ('.jpg','.jpeg','.png','.webp'))
    if not files: sys.exit(f"no photos in {root}/<type>/: put a few real photos per body type there (see bench/real_sources.md)")
    torch.set_num_threads(2)
    pred, imgs, truth = load_predictor(model), [Image.open(f).convert('RGB') for f in files], [f.parent.name for f in files]
    df = pd.DataFrame(dict(type=truth, model=[pred.predict(o)[0]==t for o,t in zip(imgs, truth)],
                           imagenet=[b==t for b,t in zip(body_type(imagenet_probs(imgs)), truth)]))
    by = df.groupby('type')[['model','imagenet']].mean().reindex(CLASSES).assign(photos=df.groupby('type').size())
    print((by[['model','imagenet']]*100).round(0).assign(photos=by.photos).to_string())
    print(f"all {len(df)} photos: model {df.model.mean():.1%}, ImageNet classes alone {df.imagenet.mean():.1%} "
          f"(chance {1/len(CLASSES):.1%})")
