"""Run notebooks top to bottom and save their outputs, as the docs site shows them: `python tools/run_nb.py NB...`

nbconvert's executor knows nothing of nbdev's `#| eval: false` (cells that show code without running it, such
as web searches); this one skips them, as `nbdev_test` does. Runs each notebook in a fresh `CARCLF_HOME`,
then `nbdev_clean`s it.
"""
import os, re, subprocess, sys, tempfile, time
from pathlib import Path
import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

class SkipNoEval(ExecutePreprocessor):
    "nbconvert's executor, leaving `#| eval: false` cells as they are"
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type=='code' and re.search(r'^#\|\s*eval:\s*false', cell.source, re.M): return cell, resources
        return super().preprocess_cell(cell, resources, index)

if __name__ == '__main__':
    os.environ.setdefault('MPLBACKEND', 'module://matplotlib_inline.backend_inline')
    for fn in map(Path, sys.argv[1:]):
        nb, t = nbformat.read(fn, as_version=4), time.perf_counter()
        with tempfile.TemporaryDirectory() as home:
            os.environ['CARCLF_HOME'] = home
            SkipNoEval(timeout=1800, kernel_name='python3').preprocess(nb, {'metadata': {'path': str(fn.parent)}})
        nbformat.write(nb, fn)
        subprocess.run([Path(sys.executable).parent/'nbdev_clean', '--fname', fn], check=True)
        print(f'{fn}: ran in {time.perf_counter()-t:.0f} s')
