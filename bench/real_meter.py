"""A realism meter grounded in real photos: `python bench/real_meter.py [--n 30] [--sets real,real2]`

The ImageNet meter (`bench/realism.py`) asks whether a generated picture looks like *a* car. This one asks whether it
looks like a real car *of its type*. A logistic regression is fitted on the frozen ImageNet features (EfficientNet-Lite0,
average-pooled, pictures squished to 192 px) of real photos, one folder per body type under `$CARCLF_HOME/<set>/`
(see `bench/real_sources.md`); the project ships none. It prints:

- what that head gets on one real set when fitted on the other: about the most a frozen-feature head can get from
  this many real photos, a yardstick for the synthetic-only figure of `bench/real.py`;
- fitted on all the sets, how often it calls generated pictures of each type by their drawn type.

Look at the real photos only now and then: with ~140 of them, fitting the renderer to this meter fits it to them.
Results go to nbs/explanations/benchmarks.ipynb; nothing here is asserted in tests.
"""
import numpy as np, pandas as pd, torch
from fastcore.script import call_parse
from PIL import Image
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from fastai.vision.core import imagenet_stats
from carclf.core import carclf_home
from carclf.synth import CLASSES, SYNTH_VERSION, draw_car
from imagenet import imagenet_lite0

@torch.no_grad()
def features(model, imgs:list, size:int=192, bs:int=32) -> np.ndarray:
    "Average-pooled features of the ImageNet body for PIL pictures squished to `size`, normalised as in training"
    mean,std = (torch.tensor(o)[:,None,None] for o in imagenet_stats)
    x = lambda o: (torch.from_numpy(np.asarray(o.convert('RGB').resize((size,size)), np.float32)/255).permute(2,0,1)-mean)/std
    return torch.cat([model.forward_head(model.forward_features(torch.stack([x(o) for o in imgs[i:i+bs]])), pre_logits=True)
                      for i in range(0, len(imgs), bs)]).numpy()

def real_set(model, name:str) -> tuple:
    "Features and type indices of the photos in `$CARCLF_HOME/name/<type>/`"
    files = sorted(f for c in CLASSES for f in (carclf_home()/name/c).glob('*') if f.suffix.lower() in ('.jpg','.jpeg','.png','.webp'))
    if not files: raise SystemExit(f"no photos in {carclf_home()/name}/<type>/ (see bench/real_sources.md)")
    return features(model, [Image.open(f) for f in files]), np.array([CLASSES.index(f.parent.name) for f in files])

def fit(X, y): return make_pipeline(StandardScaler(), LogisticRegression(C=.05, max_iter=3000)).fit(X, y)

@call_parse
def main(n:int=30, # generated pictures per body type
         sets:str='real,real2', # real-photo folders under $CARCLF_HOME, comma-separated
         seed:int=2027 # random seed for the generated pictures, apart from the data sets' seeds
        ):
    "Print the cross-set accuracy of a head fitted on real photos, and how it labels carclf's pictures"
    torch.set_num_threads(2)
    model,_ = imagenet_lite0()
    real = {s: real_set(model, s) for s in sets.split(',')}
    for s,(X,y) in real.items():
        rest = [r for r in real if r!=s]
        if rest: print(f"fitted on {'+'.join(rest)} ({sum(len(real[r][1]) for r in rest)} photos), tested on {s} ({len(y)}): "
                       f"{(fit(np.concatenate([real[r][0] for r in rest]), np.concatenate([real[r][1] for r in rest])).predict(X)==y).mean():.1%}")
    head = fit(np.concatenate([X for X,_ in real.values()]), np.concatenate([y for _,y in real.values()]))
    drawn = np.repeat(np.arange(len(CLASSES)), n)
    got = head.predict(features(model, [draw_car(c, 192, np.random.default_rng([seed, ci, i]))[0] for ci,c in enumerate(CLASSES) for i in range(n)]))
    df = pd.crosstab(pd.Series([CLASSES[i] for i in drawn], name='drawn'), pd.Series([CLASSES[i] for i in got], name='real-photo head'))
    print(f"\nsynth v{SYNTH_VERSION}, {n} pictures per type, labelled by the head fitted on all {sum(len(y) for _,y in real.values())} photos:")
    print(df.reindex(index=CLASSES, columns=CLASSES, fill_value=0).to_string())
    print(f"agrees with the drawn type: {(got==drawn).mean():.1%} (" + ', '.join(f'{c} {(got[drawn==i]==i).mean():.0%}' for i,c in enumerate(CLASSES)) + ")")
