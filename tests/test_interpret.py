"The review sheet works in a real browser, and `carclf review` applies the CSV it saves: files move, none is deleted."
import shutil
import pandas as pd, pytest, torch
from conftest import BIN, run
from browser import browser, serve
from carclf.synth import synth_cars
from carclf.interpret import Interp, labelled_images

@pytest.fixture
def data(tmp_path):
    "Generated pictures, and an `Interp` of them with made-up predictions (the sheet needs no model)"
    root = synth_cars(n=2, size=64, n_test=0, dest=tmp_path/'cars')
    files = labelled_images(root/'train')
    vocab = sorted({f.parent.name for f in files})
    targs = torch.tensor([vocab.index(f.parent.name) for f in files])
    probs = torch.softmax(torch.randn(len(files), len(vocab), generator=torch.Generator().manual_seed(0)), 1)
    return root, Interp(files, probs, targs, vocab)

def snapshot(root):
    "The bytes of every picture under `root`, wherever it is: equal snapshots mean nothing was lost or changed"
    return sorted(f.read_bytes() for f in root.rglob('*.jpg'))

def test_sheet_to_cli(data, tmp_path, artifacts):
    root, interp = data
    before = snapshot(root)
    sheet = interp.review_sheet(tmp_path/'review', k=4)
    with serve(sheet.parent) as base, browser() as new_page:
        p = new_page()
        p.page.goto(f'{base}/{sheet.name}')
        p.page.screenshot(path=str(artifacts/'review-sheet.png'), full_page=True)
        rows = p.page.locator('tr[data-file]')
        assert rows.count() == 4
        assert all(w > 0 for w in p.page.eval_on_selector_all('img', 'els => els.map(e => e.naturalWidth)')), 'thumbnails load'
        rows.nth(0).locator('select').select_option('quarantine')
        rows.nth(0).locator('input').fill('not a car, "really"')
        new = next(o for o in rows.nth(1).locator('option').all_inner_texts() if o.startswith('relabel: '))[len('relabel: '):]
        rows.nth(1).locator('select').select_option(new)
        with p.page.expect_download() as dl: p.page.click('#save')
        csv = tmp_path/'downloaded.csv'
        dl.value.save_as(csv)
        assert not p.external and not p.errors, (p.external, p.errors)
    df = pd.read_csv(csv, keep_default_na=False)
    assert list(df.action) == ['quarantine', 'relabel', 'keep', 'keep']
    assert df.reason[0] == 'not a car, "really"' and df.new_label[1] == new
    res = run(BIN/'carclf', 'review', csv)
    assert res.stdout.strip().endswith('2 kept, 1 relabelled, 1 quarantined')
    assert snapshot(root) == before, 'every picture is still there: moved, not deleted'
    moved = root/'train'/new/(df.file[1].split('/')[-1])
    assert moved.exists() or any(f.name.startswith(moved.stem) for f in (root/'train'/new).iterdir())
    assert (root/'train_quarantine'/'reasons.csv').exists()
    log = pd.read_csv(root/'train_quarantine'/'reasons.csv')
    assert log.reason.tolist() == ['not a car, "really"']
    again = run(BIN/'carclf', 'review', csv, check=False)
    assert again.returncode == 1 and 'applied already' in again.stderr, 'a second run moves nothing and says why'
    assert snapshot(root) == before

def test_cli_errors(tmp_path):
    "A missing CSV, or one without the needed columns, is a one-line error naming the fix, and moves nothing"
    res = run(BIN/'carclf', 'review', tmp_path/'nope.csv', check=False)
    assert res.returncode == 1 and 'not found' in res.stderr and 'Traceback' not in res.stderr
    (tmp_path/'bad.csv').write_text('picture,decision\na.jpg,keep\n')
    res = run(BIN/'carclf', 'review', tmp_path/'bad.csv', check=False)
    assert res.returncode == 1 and 'needs the columns file and action' in res.stderr
