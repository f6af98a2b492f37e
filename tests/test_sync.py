"The nbdev CI rule: the notebooks are the source, so exporting and cleaning them changes nothing."
import filecmp, shutil, subprocess
from conftest import ROOT, BIN, run

def _copy_tree(dest):
    "Copy the files git knows about (tracked, or untracked and not ignored) to `dest`"
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split('\n')
    for f in filter(None, files):
        if not (ROOT/f).exists(): continue
        (dest/f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT/f, dest/f)
    return [f for f in files if f]

def test_export_clean_readme_change_nothing(tmp_path):
    files = _copy_tree(tmp_path)
    run(BIN/'nbdev_export', cwd=tmp_path)
    run(BIN/'nbdev_clean', cwd=tmp_path)
    run(BIN/'python', 'tools/make_readme.py', cwd=tmp_path)
    changed = [f for f in files if (tmp_path/f).exists() and not filecmp.cmp(ROOT/f, tmp_path/f, shallow=False)]
    new = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path/'carclf').glob('*.py') if str(p.relative_to(tmp_path)) not in files)
    assert not changed and not new, f'run `make export` and commit: changed {changed}, new {new}'

def test_notebooks_keep_slide_metadata(tmp_path):
    "`nbdev_clean` must keep `slideshow` cell metadata and `rise` notebook metadata (settings.ini allows them)"
    import json
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    nb['metadata']['rise'] = {'theme': 'simple'}
    (tmp_path/'nbs').mkdir()
    (tmp_path/'nbs'/'index.ipynb').write_text(json.dumps(nb))
    shutil.copy(ROOT/'settings.ini', tmp_path)
    run(BIN/'nbdev_clean', '--fname', tmp_path/'nbs'/'index.ipynb', cwd=tmp_path)
    cleaned = json.loads((tmp_path/'nbs'/'index.ipynb').read_text())
    assert cleaned['metadata']['rise'] == {'theme': 'simple'}
    assert all('slideshow' in c['metadata'] for c in cleaned['cells'])
