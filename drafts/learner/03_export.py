# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% slideshow={"slide_type": "skip"}
#| default_exp export

# %% slideshow={"slide_type": "skip"}
#| export
import os, tempfile
from json import dumps, loads
from safetensors.torch import load_file, save_file
from fastai.vision.all import *
from carclf import __version__
from carclf.learner import get_arch

# %% slideshow={"slide_type": "skip"}
#| hide
from fastcore.test import *
import subprocess, sys
from carclf.synth import synth_cars
from carclf.data import car_dls, get_test_images
from carclf.learner import car_learner

# %% [markdown] slideshow={"slide_type": "slide"}
# # Export: save a model, load it safely, predict
#
# > Weights as `safetensors` plus a small JSON file: a model you can share and load without running code from the file

# %% [markdown] slideshow={"slide_type": "-"}
# Lesson 1 ends with `learn.export()` and, elsewhere, `load_learner('export.pkl')`. That file is a Python pickle: it stores the whole `Learner`, and loading it *runs whatever instructions the file contains*. That is fine for a file you made yourself a minute ago, and dangerous for one you downloaded, received or found on a shared drive: a pickle can delete files or open a connection just by being loaded. Models are shared all the time, so carclf's default export holds no code at all:
#
# - `model.safetensors`: the weights, tensors only (the `safetensors` format cannot hold code);
# - `model.json`: what is needed to rebuild the network and prepare a picture: architecture, class names, image size, normalisation, carclf version.
#
# Loading builds the network from its name, exactly as `vision_learner` does but without downloading anything, and copies the weights in. The pickle stays available (`export(..., pickle=True)` and fastai's `load_learner`) for the day you need the whole `Learner` back and trust the file.

# %% [markdown] slideshow={"slide_type": "-"}
# We train nothing here: a learner straight from `car_learner` is enough to check that what we save is what we load. (`carclf train` exports a trained one.)

# %% slideshow={"slide_type": "-"}
path = synth_cars(n=8, size=64, n_test=4)
dls = car_dls(path, size=64, bs=8, num_workers=0)
learn = car_learner(dls)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What a model needs besides its weights

# %% [markdown] slideshow={"slide_type": "-"}
# A picture must reach the model the way validation pictures did during training: resized by the same method to the same size, scaled to [0,1], normalised with the same statistics. Those live in the `DataLoaders`' transforms, so `export_meta` reads them from there rather than asking you to repeat them.

# %% slideshow={"slide_type": "-"}
#| export
def _find(pipe, cls): return first(t for t in pipe.fs if isinstance(t, cls))

def export_meta(learn:Learner) -> dict:
    "What `load_predictor` needs to rebuild `learn`'s network and prepare pictures as its validation set does"
    arch = learn.arch if isinstance(learn.arch, str) else learn.arch.__name__
    if get_arch(arch) is not learn.arch and get_arch(arch)!=learn.arch:
        raise ValueError(f"architecture {arch!r} can't be rebuilt from its name: use a timm or torchvision architecture, or export(..., pickle=True)")
    rsz,norm = _find(learn.dls.valid.after_item, Resize), _find(learn.dls.after_batch, Normalize)
    if rsz is None: raise ValueError("the DataLoaders have no `Resize` item transform, so the picture size is unknown: build them with `car_dls`")
    stat = lambda t,v: t.flatten().tolist() if norm else [v]*3
    return dict(arch=arch, classes=list(map(str, learn.dls.vocab)), size=list(rsz.size), resize=rsz.method,
                mean=stat(norm.mean if norm else None, 0.), std=stat(norm.std if norm else None, 1.), carclf=__version__)

# %% slideshow={"slide_type": "-"}
meta = export_meta(learn)
meta

# %% slideshow={"slide_type": "skip"}
test_eq(meta['classes'], list(dls.vocab))
test_eq(meta['size'], [64,64])
test_close(meta['mean'], [0.5]*3)
