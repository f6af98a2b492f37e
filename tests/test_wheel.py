"""What `pip install carclf` users get: the wheel, installed in a fresh venv with the newest fastai/fastcore pip resolves.

The development set pins fastai 2.8.7 / fastcore 1.x (nbdev 2 needs them); users get fastcore 2.x,
so the command line is run there for real."""
import json, re, sys
from pathlib import Path
from conftest import ROOT, BIN, run

def test_wheel_installs_and_runs_with_newest_fastai(tmp_path):
    run(BIN/'python', '-m', 'build', '--wheel', '--outdir', tmp_path/'dist', ROOT)
    wheel, = (tmp_path/'dist').glob('carclf-*.whl')
    run(sys.executable, '-m', 'venv', tmp_path/'venv')
    py, carclf = tmp_path/'venv'/'bin'/'python', tmp_path/'venv'/'bin'/'carclf'
    run(py, '-m', 'pip', 'install', '-q', '--no-compile', wheel) # Python compiles what it imports; pip would compile all of torch...
    versions = run(py, '-c', 'import fastai, fastcore, carclf; print(fastai.__version__, fastcore.__version__)').stdout.split()
    print('fresh venv fastai, fastcore:', versions)
    assert int(versions[1].split('.')[0]) >= 2, 'the fresh venv should get the newest fastcore (2.x), not the dev pin'
    assert 'usage: carclf COMMAND' in run(carclf, '--help').stdout
    out = run(carclf, 'synth', tmp_path/'cars', '--n', '5', '--size', '32', '--seed', '1').stdout  # arguments parsed under fastcore 2
    assert len(list((tmp_path/'cars'/'train').rglob('*.jpg'))) == 5 * 6, out
    # the lesson's path under the newest fastai: offline weights, tune (head only), export, predict in a new process
    home = {'CARCLF_HOME': str(tmp_path/'home')}
    out = run(carclf, 'train', tmp_path/'cars', '--size', '32', '--epochs', '0', '--out', tmp_path/'model', env=home).stdout
    *phases, last = out.strip().split('\n')
    assert [l.split(':')[0] for l in phases] == ['features', 'lr_find', 'frozen'], out[-800:]
    m = re.fullmatch(r'held-out accuracy: (\d+\.\d)% \((\d+) images\), training time: \d+ s', last)
    assert m, out[-500:]
    rows = json.loads(run(carclf, 'predict', tmp_path/'model', tmp_path/'cars'/'test', '--json', env=home).stdout)
    right = sum(r['label'] == Path(r['file']).parent.name for r in rows)
    assert int(m[2]) == len(rows) and abs(float(m[1])/100 - right/len(rows)) <= 5e-4, (last, right, len(rows)) # the exported model: the same labels
