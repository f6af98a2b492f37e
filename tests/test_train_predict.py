"`carclf train`, then `carclf predict`, from the shell in fresh processes: what a user types after `pip install carclf`."
import json, pickle, re, sys
from pathlib import Path
import pytest
from PIL import Image
from conftest import BIN, run
from carclf.test_utils import Payload

CLASSES = ['hatchback', 'pickup', 'sedan', 'sports', 'suv', 'van']

@pytest.fixture(scope='module')
def trained(tmp_path_factory, carclf_home):
    "Tiny generated pictures, a model trained on them for one unfrozen epoch, and `carclf train`'s output"
    d = tmp_path_factory.mktemp('train')
    run(BIN/'carclf', 'synth', d/'cars', '--n', '10', '--size', '64')
    res = run(BIN/'carclf', 'train', d/'cars', '--size', '64', '--epochs', '1', '--out', d/'model', env={'CARCLF_HOME': str(carclf_home)})
    return d, res.stdout

def test_train_reports_and_exports(trained):
    d, out = trained
    *phases, last = out.strip().split('\n')
    assert [l.split(':')[0] for l in phases] == ['features', 'lr_find', 'frozen', 'unfrozen'], out[-800:]
    assert '\r' not in out, 'not a terminal: plain lines'
    m = re.fullmatch(r'held-out accuracy: (\d+\.\d)% \((\d+) images\), training time: (\d+) s', last)
    assert m, out[-500:]
    # the accuracy reported is the exported model's on the held-out pictures, as `carclf predict` labels them
    rows = json.loads(run(BIN/'carclf', 'predict', d/'model', d/'cars'/'test', '--json').stdout)
    right = sum(r['label'] == Path(r['file']).parent.name for r in rows)
    assert int(m[2]) == len(rows) == len(list((d/'cars'/'test').rglob('*.jpg')))
    assert abs(float(m[1])/100 - right/len(rows)) <= 5e-4, (m[1], right, len(rows))  # the model as exported: the same labels
    assert right/len(rows) > 1/len(CLASSES), 'better than guessing, even after one epoch on 10 small pictures a class (measured 25%)'
    assert sorted(o.name for o in (d/'model').iterdir()) == ['confusion.png', 'model.json', 'model.safetensors']
    assert Image.open(d/'model'/'confusion.png').size[0] > 100
    meta = json.loads((d/'model'/'model.json').read_text())
    assert meta['classes'] == CLASSES and meta['size'] == [64, 64] and meta['arch'] == 'tf_efficientnet_lite0'

def test_predict_json_and_text(trained):
    d, _ = trained
    files = sorted((d/'cars'/'test').rglob('*.jpg'))[::30]  # one of each class
    rows = json.loads(run(BIN/'carclf', 'predict', d/'model', *files, '--json').stdout)
    assert [r['file'] for r in rows] == [str(f) for f in files]
    from carclf.export import load_predictor   # what the command prints is what the model says
    probs = load_predictor(d/'model').predict_batch(files)
    assert [(r['label'], r['probability']) for r in rows] == [(CLASSES[p.argmax()], round(p.max().item(), 4)) for p in probs]
    lines = run(BIN/'carclf', 'predict', d/'model', *files).stdout.strip().splitlines()
    assert lines == [f"{r['file']}: {r['label']} ({r['probability']:.1%})" for r in rows]
    folder = json.loads(run(BIN/'carclf', 'predict', d/'model', d/'cars'/'test'/'van', '--json').stdout)
    assert len(folder) == len(list((d/'cars'/'test'/'van').glob('*.jpg'))), 'a folder stands for its pictures'

@pytest.mark.parametrize('case', ['no model', 'not a picture', 'no pictures in folder', 'missing picture'])
def test_bad_input_one_line(trained, tmp_path, case):
    d, _ = trained
    img = next((d/'cars'/'test').rglob('*.jpg'))
    (tmp_path/'notes.txt').write_text('not a picture'); (tmp_path/'empty').mkdir()
    args, expected = {'no model':              ((tmp_path, img), 'model.json not found'),
                      'not a picture':         ((d/'model', img, tmp_path/'notes.txt'), 'notes.txt is not a picture'),
                      'no pictures in folder': ((d/'model', tmp_path/'empty'), 'has no pictures in it'),
                      'missing picture':       ((d/'model', tmp_path/'gone.jpg'), 'gone.jpg not found')}[case]
    res = run(BIN/'carclf', 'predict', *args, check=False)
    assert res.returncode == 1 and res.stdout == ''
    assert res.stderr.count('\n') == 1 and res.stderr.startswith('carclf predict: error: ') and expected in res.stderr, res.stderr

def test_tampered_pickle_never_loaded(trained, tmp_path):
    d, _ = trained
    model = tmp_path/'model'; model.mkdir()
    for f in ('model.json', 'model.safetensors'): (model/f).write_bytes((d/'model'/f).read_bytes())
    marker = tmp_path/'ran.txt'
    (model/'export.pkl').write_bytes(pickle.dumps(Payload(marker, 'code from the model file ran')))
    run(BIN/'carclf', 'predict', model, next((d/'cars'/'test').rglob('*.jpg')))
    assert not marker.exists(), 'the default path must not unpickle anything'
    run(sys.executable, '-c', f'import pickle; pickle.load(open({str(model/"export.pkl")!r}, "rb"))')
    assert marker.read_text() == 'code from the model file ran', 'the payload is real: unpickling runs it'

def free_port() -> int:
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.mark.parametrize('launcher', ['accelerate', 'torchrun'])
def test_train_two_processes(trained, carclf_home, launcher):
    "`carclf train` started twice by a launcher, on CPUs (gloo): one log, one model, written by the first process"
    d, _ = trained
    start = {'accelerate': [BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',  # as on GPUs
                            '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', free_port()],
             'torchrun': [BIN/'torchrun', '--nproc_per_node', '2', '--master_port', free_port()]}[launcher]
    res = run(*start, BIN/'carclf', 'train', d/'cars', '--size', '64', '--out', d/launcher, env={'CARCLF_HOME': str(carclf_home)})
    *phases, last = res.stdout.strip().split('\n')
    assert [l.split(':')[0] for l in phases] == ['features', 'lr_find', 'frozen', 'unfrozen'], res.stdout[-800:]  # the first process's
    assert int(phases[0].split()[1]) == 2*48 + 12, 'the shards of features, gathered: every training picture, mirrored too, and validation'
    m = re.fullmatch(r'held-out accuracy: (\d+\.\d)% \((\d+) images\), training time: (\d+) s on 2 processes', last)
    assert m, res.stdout[-500:]
    assert sorted(o.name for o in (d/launcher).iterdir()) == ['confusion.png', 'model.json', 'model.safetensors']
    rows = json.loads(run(BIN/'carclf', 'predict', d/launcher, d/'cars'/'test', '--json').stdout)
    right = sum(r['label'] == Path(r['file']).parent.name for r in rows)
    assert abs(float(m[1])/100 - right/len(rows)) <= 5e-4, (m[1], right, len(rows))
    assert right/len(rows) > 1/len(CLASSES), 'it learned something'
