"""Jupyter server settings for `make lab` (and tests/test_rise.py): `jupyter lab --config=tools/lab_config.py`.

Notebooks open from `nbs/`, so a lesson's notebook-relative links (`../api/02_learner.ipynb`) work in Lab and RISE,
and every notebook Jupyter saves is `nbdev_clean`ed first (what `make export` does): opening, running or presenting
a lesson (RISE saves before it renders) leaves its kernelspec and metadata as the repository holds them.
"""
from pathlib import Path
from nbdev.clean import clean_nb
from nbdev.config import get_config as nbdev_config

ROOT = Path(__file__).resolve().parents[1]

def clean(model, **kwargs):
    "Jupyter pre-save hook: `nbdev_clean` a notebook `model`, with this repo's settings"
    if model['type'] != 'notebook' or model['content'].get('nbformat') != 4: return
    cfg = nbdev_config(path=ROOT)
    clean_nb(model['content'], cfg.clear_all, cfg.get('allowed_metadata_keys').split(),
             cfg.get('allowed_cell_metadata_keys').split(), cfg.clean_ids)

c = get_config()  # noqa: F821 (Jupyter defines `get_config` when it runs this file)
c.ContentsManager.pre_save_hook = clean
c.ServerApp.root_dir = str(ROOT/'nbs')
