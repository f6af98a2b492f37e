"Every notebook runs top to bottom, fresh, as `nbdev_test` runs it: one pytest test per notebook."
import pytest
from conftest import ROOT, BIN, run

NOTEBOOKS = sorted(p.relative_to(ROOT/'nbs') for p in (ROOT/'nbs').rglob('*.ipynb')
                   if '.ipynb_checkpoints' not in p.parts and not p.name.startswith('_'))  # nbdev skips `_` notebooks too

@pytest.mark.parametrize('nb', NOTEBOOKS, ids=str)
def test_notebook(nb, carclf_home):
    run(BIN/'nbdev_test', '--path', ROOT/'nbs'/nb, '--do_print', cwd=ROOT, env={'CARCLF_HOME': str(carclf_home)}, timeout=900)  # a hung notebook fails, CI goes on
