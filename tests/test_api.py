"The package's shape: chapters import only earlier chapters, and no public name hides one of fastai's with another meaning."
import ast, importlib, json, re
import pytest
from conftest import ROOT, BIN, run

def chapters() -> dict:
    "Each module's rank, from the order of the reference notebooks that export it: {'core': 0, 'synth': 1, ...}"
    nbs = sorted((ROOT/'nbs'/'api').glob('*.ipynb'))
    mods = [re.search(r'#\|\s*default_exp\s+(\S+)', ''.join(json.loads(nb.read_text())['cells'][0]['source'])) for nb in nbs]
    return {m[1]: i for i, m in enumerate(mods) if m}

def imports(mod:str) -> set:
    "The carclf modules that `carclf/<mod>.py` imports, at the top or inside a function"
    tree, found = ast.parse((ROOT/'carclf'/f'{mod}.py').read_text()), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            name = ('carclf' if node.level else '') + ('.' if node.level and node.module else '') + (node.module or '')
            found |= {name} if name != 'carclf' else {f'carclf.{a.name}' for a in node.names}
        elif isinstance(node, ast.Import): found |= {a.name for a in node.names}
    return {n.split('.')[1] for n in found if n.startswith('carclf.')} - {'__version__'}

def test_layers_are_one_way():
    rank = chapters()
    assert {'core', 'data', 'learner', 'export', 'collect', 'interpret', 'train', 'cli'} <= set(rank), rank
    bad = {m: sorted(d for d in imports(m) if rank[d] >= rank[m]) for m in rank}
    assert not any(bad.values()), f'chapters importing themselves or later chapters: { {m: d for m, d in bad.items() if d} }'
    assert imports('core') == set(), 'core depends on nothing else in carclf'

FASTAI = ['fastai.vision.all', 'fastai.tabular.all', 'fastai.collab']

def test_no_name_hides_fastai():
    "After `from fastai.vision.all import *` (or tabular, collab), importing carclf's names must not change what a fastai name means"
    fastai = {}
    for m in FASTAI:
        mod = importlib.import_module(m)
        fastai.update({k: getattr(mod, k) for k in getattr(mod, '__all__', dir(mod)) if not k.startswith('_')})
    clash = [f'carclf.{m}.{k}' for m in chapters() for k in importlib.import_module(f'carclf.{m}').__all__
             if k in fastai and fastai[k] is not getattr(importlib.import_module(f'carclf.{m}'), k)]
    assert not clash, f'these carclf names hide a fastai name with another meaning: rename them: {clash}'

def test_learners_named_like_fastai():
    "Functions that make a `Learner` are called `*_learner`, as fastai's are"
    import carclf.learner, carclf.segment, carclf.tabular, carclf.collab
    from fastai.learner import Learner
    def makes_learner(f): return isinstance(r := getattr(f, '__annotations__', {}).get('return'), type) and issubclass(r, Learner)
    makers = [f'{m.__name__}.{k}' for m in (carclf.learner, carclf.segment, carclf.tabular, carclf.collab) for k in m.__all__
              if makes_learner(getattr(m, k))]
    assert len(makers) >= 5 and all(k.endswith('_learner') for k in makers), makers

def test_predict_loads_no_collect(tmp_path):
    "`carclf predict` imports neither the collect chapter nor its web-search client"
    code = ("import sys; from carclf.cli import load_command; load_command('predict'); "
            "print(sorted(m for m in sys.modules if m.startswith(('carclf.', 'ddgs'))))")
    mods = run(BIN/'python', '-c', code).stdout.strip()
    assert 'carclf.collect' not in mods and 'ddgs' not in mods and 'carclf.export' in mods, mods
