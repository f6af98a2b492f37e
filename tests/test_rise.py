"""The lesson presented live, as a teacher does: `jupyter lab` (with `make lab`'s settings) on 127.0.0.1, the lesson opened
in RISE in headless Chromium at 1280×720 with a fresh kernel, every slide and fragment stepped through in order and
every code cell on them clicked and run with Ctrl+Enter (as the lesson tells teachers: RISE's Shift+Enter selects the
next cell, and when that cell is on the next slide RISE moves there before the output shows). Each cell's run is
confirmed by the kernel itself (a second client sees its code go in and the kernel go idle). Nothing may fail:
no error or warning output, no console error beyond the known upstream ones below, text, code and figures a room can
read, no slide taller or wider than the screen, speaker notes once, and the notebook on disk as the repository holds it
afterwards (outputs aside).

It stands in for the lesson's own notebook test (tests/test_notebooks.py leaves the lesson out, so `make test` trains
its model once): the hidden cells the slides skip (the lesson's own tests) run in the same kernel, each at its place
in the notebook, as `nbdev_test` would run them.
"""
import json, os, queue, secrets, shutil, socket, subprocess, sys, time, urllib.request
import nbformat, pytest
from jupyter_client import BlockingKernelClient
from nbdev.process import extract_directives
from conftest import ROOT, BIN
from browser import browser
sys.path.insert(0, str(ROOT/'tools'/'slides'))
from rise_cells import speaker_notes

LESSON = 'lessons/lesson1.ipynb'  # relative to nbs/, which `make lab` serves
W, H = 1280, 720
MIN_TEXT, MIN_CODE, MIN_FIG = 24, 18, 14  # px
# Console errors of jupyterlab-rise 0.43.1's own page that no setting of ours removes (measured with no other extension
# installed): its @jupyter/web-components bundle logs `RangeError: Maximum call stack size exceeded` from a design-token
# `handleChange` loop; and ipywidgets' extension needs @jupyterlab/console, which RISE's page does not ship.
KNOWN = ('RangeError: Maximum call stack size exceeded', "Shared module @jupyterlab/console doesn't exist in shared scope")

def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def get(url:str):
    with urllib.request.urlopen(url, timeout=10) as r: return json.loads(r.read())

def shown_code_cells(nb) -> list:
    "Indices of the code cells the slides show, in order: the ones a teacher runs"
    return [i for i,c in enumerate(nb.cells) if c.cell_type == 'code' and c.metadata.get('slideshow', {}).get('slide_type') != 'skip']

def hidden_code_cells(nb) -> list:
    "Indices of the code cells the slides skip and `nbdev_test` runs (the lesson's tests)"
    return [i for i,c in enumerate(nb.cells) if c.cell_type == 'code' and i not in shown_code_cells(nb)
            and extract_directives(c, remove=False).get('eval:') != ['false']]

@pytest.fixture(scope='module')
def lab(tmp_path_factory, carclf_home):
    "`make lab`'s server on a copy of nbs/; yields (base URL, token, the copy, the server's log, its runtime folder)"
    tmp = tmp_path_factory.mktemp('lab')
    nbs = tmp/'nbs'; shutil.copytree(ROOT/'nbs', nbs, ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, 'CARCLF_HOME': str(carclf_home), 'JUPYTER_CONFIG_DIR': str(tmp/'config'),  # none of the user's settings
           'JUPYTERLAB_SETTINGS_DIR': str(tmp/'settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(tmp/'workspaces'),
           'JUPYTER_RUNTIME_DIR': str(tmp/'runtime')}  # the kernels' connection files, for the hidden cells
    cmd = [BIN/'jupyter', 'lab', f'--config={ROOT/"tools"/"lab_config.py"}', f'--ServerApp.root_dir={nbs}', '--no-browser',
           '--ip=127.0.0.1', f'--port={port}', f'--IdentityProvider.token={token}'] + (['--allow-root'] if os.getuid() == 0 else [])
    log = tmp/'lab.log'
    with open(log, 'w') as f: proc = subprocess.Popen([str(c) for c in cmd], env=env, stdout=f, stderr=subprocess.STDOUT, cwd=tmp)
    base = f'http://127.0.0.1:{port}'
    try:
        for _ in range(120):
            try: get(f'{base}/api/status?token={token}'); break
            except OSError: time.sleep(.5)
        else: pytest.fail(f'jupyter lab did not start:\n{log.read_text()[-3000:]}')
        yield base, token, nbs, log, tmp/'runtime'
    finally:
        proc.terminate(); proc.wait(30)

@pytest.fixture(scope='module')
def chromium():
    "One headless Chromium for every page of this module (Playwright's sync API runs one at a time)"
    with browser(W, H) as new_page: yield new_page

def kernels_idle(base, token) -> bool:
    ks = get(f'{base}/api/kernels?token={token}')
    return bool(ks) and all(k['execution_state'] == 'idle' for k in ks)

def wait_idle(base, token, timeout=600):
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if kernels_idle(base, token): return
        time.sleep(.3)
    pytest.fail('the kernel stayed busy')

def test_lab_page_loads(lab, chromium):
    "The notebook opens in JupyterLab itself without console errors (first, and its kernel shut down: RISE starts fresh)"
    base, token, *_ = lab
    p = chromium()
    p.page.goto(f'{base}/lab/tree/{LESSON}?token={token}')
    p.page.wait_for_selector('.jp-NotebookPanel .jp-Cell', timeout=60_000)
    p.page.wait_for_timeout(2000)
    p.page.close()
    for s in get(f'{base}/api/sessions?token={token}'):
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/sessions/{s['id']}?token={token}", method='DELETE'), timeout=30)
    assert not [e for e in p.errors if not any(k in e for k in KNOWN)], p.errors
    assert not p.external, f'requests left localhost: {p.external}'

class Kernel:
    "A second client of the lesson's kernel (as a console attached to it would be): runs the cells the slides skip"
    def __init__(self, base, token, runtime):
        (k,) = get(f'{base}/api/kernels?token={token}')
        self.kc = BlockingKernelClient(connection_file=str(runtime/f"kernel-{k['id']}.json"))
        self.kc.load_connection_file(); self.kc.start_channels(); self.kc.wait_for_ready(timeout=60)

    def run(self, code:str) -> tuple:
        "Run `code`; (what it printed, errors and warnings it printed)"
        out, err = [], []
        def hook(msg):
            t, c = msg['msg_type'], msg['content']
            if t == 'stream': (err if c['name'] == 'stderr' else out).append(c['text'])
            if t == 'error': err.append('\n'.join(c['traceback']))
        self.kc.execute_interactive(code, output_hook=hook, timeout=900, allow_stdin=False)
        return ''.join(out), err

    def drain(self):
        "Forget the messages the kernel has broadcast so far"
        while True:
            try: self.kc.get_iopub_msg(timeout=0)
            except queue.Empty: return

    def await_run(self, timeout=900) -> tuple:
        "Wait until the next cell another client (the slides) runs has finished: (its code, errors and warnings it printed)"
        code, parent, err, end = None, None, [], time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(1, end - time.monotonic()))
            t, c, pid = msg['msg_type'], msg['content'], msg['parent_header'].get('msg_id')
            if t == 'execute_input' and parent is None: code, parent = c['code'], pid
            elif parent and pid == parent:
                if t == 'stream' and c['name'] == 'stderr': err.append(c['text'])
                if t == 'error': err.append('\n'.join(c['traceback']))
                if t == 'status' and c['execution_state'] == 'idle': return code, err

# Records the smallest text of every figure the kernel shows, in pixels of the picture (text size × dpi / 72), by
# watching matplotlib draw: the inline backend prints each figure through `print_figure` and Agg's `draw_text`.
FIG_TEXT = """
def _carclf_fig_text():
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import RendererAgg
    log, cur = [], []
    draw, print_figure = RendererAgg.draw_text, FigureCanvasBase.print_figure
    def draw_text(self, gc, x, y, s, prop, *a, **k):
        if s.strip(): cur.append((round(prop.get_size_in_points()*self.dpi/72, 1), s[:40]))
        return draw(self, gc, x, y, s, prop, *a, **k)
    def print_fig(self, *a, **k):
        cur.clear(); res = print_figure(self, *a, **k)
        if cur: log.append(min(cur))
        return res
    RendererAgg.draw_text, FigureCanvasBase.print_figure = draw_text, print_fig
    return log
_carclf_fig_log = _carclf_fig_text()
"""

JS_SLIDE = """() => {
    const s = [...document.querySelectorAll('.reveal .slides section.present')].pop();
    const shown = e => e.offsetParent !== null && !e.closest('.fragment:not(.visible)');
    const px = e => parseFloat(getComputedStyle(e).fontSize);
    const text = [...s.querySelectorAll('.jp-RenderedMarkdown :is(p, li, td, th)')].filter(shown);
    const code = [...s.querySelectorAll('.jp-CodeCell .cm-content, .jp-OutputArea-output pre')].filter(shown);
    const imgs = [...s.querySelectorAll('.jp-OutputArea-output img')].filter(e => shown(e) && e.naturalWidth);
    const notes = [...s.querySelectorAll('aside.notes')]  // as reveal.js's speaker view shows them: their HTML
        .map(n => { const d = document.createElement('div'); d.innerHTML = n.innerHTML; return d.textContent; });
    const r = s.getBoundingClientRect();
    return {id: s.id, title: s.innerText.trim().split('\\n')[0].slice(0, 50), text: Math.min(...text.map(px)),
            code: Math.min(...code.map(px)), h: s.scrollHeight, w: s.scrollWidth, bottom: r.bottom, right: r.right,
            small_text: text.filter(e => px(e) < 24).map(e => [px(e), e.tagName, e.innerText.slice(0, 40)]).slice(0, 3),
            small_code: code.filter(e => px(e) < 18).map(e => [px(e), e.className, e.innerText.slice(0, 40)]).slice(0, 3),
            img_scale: Math.min(...imgs.map(e => e.width / e.naturalWidth)), notes,
            hidden_code: [...s.querySelectorAll('.jp-CodeCell')].filter(c => shown(c) && c.querySelector('.jp-OutputArea-output')
                && !c.querySelector('.jp-InputArea')?.offsetHeight && !c.querySelector('.jp-InputPlaceholder')?.offsetHeight).length};
}"""
JS_NEXT = """() => {
    const b = document.querySelector('.reveal .controls .navigate-down.enabled')
           || document.querySelector('.reveal .controls .navigate-right.enabled');
    if (b) b.click(); return !!b;
}"""
JS_NEXT_CELL = """n => { // mark the first code cell shown on this slide and not run yet with `n`; its first line of code, if shown
    const s = [...document.querySelectorAll('.reveal .slides section.present')].pop();
    const c = [...s.querySelectorAll('.jp-CodeCell')]
        .find(c => c.offsetParent !== null && !c.closest('.fragment:not(.visible)') && !c.dataset.ran);
    if (!c) return null;
    c.dataset.ran = n; const line = c.querySelector('.cm-line'); return line ? line.textContent : '';
}"""
JS_OUTPUTS = """() => [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.closest('.jp-CodeCell').querySelector('.cm-line')?.textContent + ' → ' + e.innerText.slice(0, 500))"""

@pytest.fixture(scope='module')
def presented(lab, chromium, artifacts):
    "Present the lesson from its first slide, running each code cell as its slide or fragment appears: a dict of what was seen"
    base, token, nbs, log, runtime = lab
    nb = nbformat.read(ROOT/'nbs'/LESSON, as_version=4)
    shown, hidden = shown_code_cells(nb), hidden_code_cells(nb)
    shots = artifacts/'rise'; shutil.rmtree(shots, ignore_errors=True); shots.mkdir()
    t0 = time.monotonic()
    p = chromium()
    p.page.goto(f'{base}/rise/{LESSON}?token={token}')
    p.page.wait_for_selector('.reveal .slides section.present', timeout=60_000)
    wait_idle(base, token, 120)
    k = Kernel(base, token, runtime)
    k.run(FIG_TEXT)
    seen, ran, hidden_err, order = [], [], [], []
    def run_hidden(upto):
        while hidden and hidden[0] < upto:
            i = hidden.pop(0)
            _, err = k.run(nb.cells[i].source); ran.append(i)
            if err: hidden_err.append((i, err))
    while True:
        p.page.wait_for_timeout(600)  # past the transition and RISE's selecting a cell of the new slide (450 ms)
        while (line := p.page.evaluate(JS_NEXT_CELL, str(len(order)))) is not None:
            i = shown[len(order)] if len(order) < len(shown) else None
            if i is not None: run_hidden(i)
            t, cell = time.monotonic(), f'.jp-CodeCell[data-ran="{len(order)}"]'
            box = p.page.locator(cell).bounding_box()  # click the cell's own top-right padding: selects it, command mode
            p.page.mouse.click(box['x'] + box['width'] - 3, box['y'] + 2)  # (a prompt's overlay toggles scrolled outputs)
            p.page.wait_for_selector(cell + '.jp-mod-active')
            k.drain(); p.page.keyboard.press('Control+Enter')
            code, err = k.await_run()  # the kernel ran a cell for the slides and went idle
            p.page.wait_for_timeout(300); wait_idle(base, token); ran.append(i)
            order.append((i, code == (nb.cells[i].source if i is not None else None), round(time.monotonic() - t, 1), line, err))
        seen.append(p.page.evaluate(JS_SLIDE))
        p.page.screenshot(path=str(shots/f'{len(seen):02d}.png'))  # for a person to look at
        if not p.page.evaluate(JS_NEXT): break
    run_hidden(len(nb.cells))
    p.page.wait_for_timeout(1000)
    figs = json.loads(k.run('import json; print(json.dumps(_carclf_fig_log))')[0])
    k.kc.stop_channels()
    res = dict(page=p, seen=seen, order=order, ran=ran, hidden_err=hidden_err, figs=figs, outputs=p.page.evaluate(JS_OUTPUTS),
               errors=p.errors, external=p.external, seconds=round(time.monotonic() - t0))
    (artifacts/'rise.json').write_text(json.dumps({k:v for k,v in res.items() if k != 'page'}, indent=1, ensure_ascii=False))
    yield res

def test_runs_in_notebook_order(presented):
    "The slides ran the shown code cells, each with its own code, in the notebook's order, and the hidden ones between them"
    nb = nbformat.read(ROOT/'nbs'/LESSON, as_version=4)
    order = presented['order']
    assert [i for i,*_ in order] == shown_code_cells(nb), 'every shown code cell was reached, once'
    wrong = [(i, line) for i,same,_,line,_ in order if not same]
    assert not wrong, f'the slides ran other cells than expected: {wrong}'
    assert presented['ran'] == sorted(shown_code_cells(nb) + hidden_code_cells(nb))

def test_runs_without_errors(presented):
    assert not presented['outputs'], f'error or warning outputs on the slides: {presented["outputs"]}'
    assert not [(i, e) for i,*_,e in presented['order'] if e], f"errors or warnings: {[(i, e) for i,*_,e in presented['order'] if e]}"
    assert not presented['hidden_err'], f"the lesson's hidden cells (its tests) failed: {presented['hidden_err']}"

def test_no_console_errors(presented):
    other = [e for e in presented['errors'] if not any(k in e for k in KNOWN)]
    assert not other, other
    assert not presented['external'], f'requests left localhost: {presented["external"]}'

def test_readable_and_fits(presented):
    seen = presented['seen']
    small = [s for s in seen if s['text'] < MIN_TEXT or s['code'] < MIN_CODE]
    assert not small, 'text under 24 px or code under 18 px:\n' + '\n'.join(
        f"{s['title']!r}: {s['small_text']} {s['small_code']}" for s in small)
    big = [s for s in seen if s['h'] > H or s['w'] > W or s['bottom'] > H + 1 or s['right'] > W + 1]
    assert not big, 'slides larger than 1280×720:\n' + '\n'.join(f"{s['title']!r}: {s['w']}×{s['h']}" for s in big)

def test_figure_text_readable(presented):
    "Every figure's text is at least 14 px in its picture, and the slides show pictures at their size or larger"
    small = [f for f in presented['figs'] if f[0] < MIN_FIG]
    assert presented['figs'] and not small, f'figure text under {MIN_FIG} px (size, text): {small}'
    shrunk = [(s['title'], s['img_scale']) for s in presented['seen'] if s['img_scale'] < .99]
    assert not shrunk, f'figures shown smaller than drawn: {shrunk}'

def test_speaker_notes_once(presented):
    """The speaker view shows each note once (reveal.js reads the `aside.notes` HTML, hidden editors included): the notes
    are asides in markdown cells (tools/slides/rise_cells.py), not cells of slide type `notes`, whose whole DOM
    jupyterlab-rise 0.43.1 moves into an `aside.notes`, the markdown cell's hidden editor (the raw markdown) included"""
    nb = nbformat.read(ROOT/'nbs'/LESSON, as_version=4)
    notes = ' '.join(n for ns in {(s['id'], s['title']): s['notes'] for s in presented['seen']}.values() for n in ns) # a slide once
    mds = [md for c in nb.cells if c.cell_type == 'markdown' and (md := speaker_notes(c.source))]
    assert len(mds) >= 3 and not [c for c in nb.cells if c.metadata.get('slideshow', {}).get('slide_type') == 'notes']
    for md in mds:
        words = md.split('\n')[0][:30]
        assert notes.count(words) == 1, f'{words!r} is in the speaker notes {notes.count(words)} times'
    assert '<aside' not in notes and '*Run All*' not in notes, 'the notes are rendered, not their markdown'

def test_echo_false_code_hidden(presented):
    nb = nbformat.read(ROOT/'nbs'/LESSON, as_version=4)
    assert all(c.metadata.get('jupyter', {}).get('source_hidden') for c in nb.cells if '#| echo: false' in c.source)
    assert any(s['hidden_code'] for s in presented['seen']), 'the `#| echo: false` cells show their output without code'

def test_notebook_unchanged_on_disk(presented, lab):
    "Presenting saves the notebook (RISE saves before it renders): what Jupyter writes is what the repository holds, outputs aside"
    nbs = lab[2]
    after, before = (nbformat.read(d/LESSON, as_version=4) for d in (nbs, ROOT/'nbs'))
    assert after.metadata == before.metadata
    assert [(c.source, c.metadata) for c in after.cells] == [(c.source, c.metadata) for c in before.cells]
