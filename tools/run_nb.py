"""Run notebooks top to bottom and save their outputs, as the docs site shows them: `make outputs NBS='nbs/api/00_core.ipynb ...'`

nbconvert's executor knows nothing of nbdev's `#| eval: false` (cells that show code without running it, such
as web searches); this one skips them, as `nbdev_test` does. Runs each notebook in a fresh `CARCLF_HOME`,
then `nbdev_clean`s it.
"""
import os, subprocess, sys, tempfile, time
from pathlib import Path
import nbformat
from fastcore.script import call_parse
from nbconvert.preprocessors import ExecutePreprocessor
from nbdev.process import extract_directives

class SkipNoEval(ExecutePreprocessor):
    "nbconvert's executor, leaving `#| eval: false` cells as they are"
    def preprocess_cell(self, cell, resources, index):
        no_eval = extract_directives(cell, remove=False).get('eval:') == ['false'] # nbdev keeps the colon of Quarto's options
        if cell.cell_type=='code' and no_eval: return cell, resources
        return super().preprocess_cell(cell, resources, index)

def run_nb(fn:Path, # the notebook; its outputs are replaced
           timeout:int=1800): # seconds a cell may take
    "Execute `fn` in its own folder and a fresh `CARCLF_HOME`, save it with its outputs, and clean it"
    nb, t = nbformat.read(fn, as_version=4), time.perf_counter()
    with tempfile.TemporaryDirectory() as home:
        os.environ['CARCLF_HOME'] = home
        ep = SkipNoEval(timeout=timeout, kernel_name='python3', store_widget_state=False) # widget state: 100s of kB, dead offline
        ep.preprocess(nb, {'metadata': {'path': str(fn.parent)}})
    nbformat.write(nb, fn)
    subprocess.run([Path(sys.executable).parent/'nbdev_clean', '--fname', fn], check=True)
    print(f'{fn}: ran in {time.perf_counter()-t:.0f} s')

@call_parse
def main(nbs:str, # notebooks to run, separated by spaces
         timeout:int=1800): # seconds a cell may take
    "Run notebooks top to bottom and save their outputs"
    os.environ.setdefault('MPLBACKEND', 'module://matplotlib_inline.backend_inline')
    for fn in nbs.split(): run_nb(Path(fn), timeout)
