"""The lesson's slides (`make slides`) are a reveal.js deck that works offline in a real browser, one slide per
slide or subslide the notebook asks for, and every slide fits a 1280×720 screen.

Fitting means fitting: a slide whose content is taller or wider than the deck (the notebook's `rise` width and height)
fails, even though the lesson turns on RISE's `scroll`. A teacher presenting to a room cannot count on scrolling
(nbconvert only makes a slide scrollable after you move to it, and a projector shows no scroll bar), so `scroll`
stays a safety net for live RISE, where fonts differ, and the test holds every slide to the screen.
"""
import json, re, shutil, sys
import nbformat, pytest
from nbdev.process import extract_directives, first_code_ln
from conftest import ROOT, BIN, run
from browser import serve, browser
sys.path.insert(0, str(ROOT/'tools'/'slides'))
from rise_cells import speaker_notes

SLIDES = ROOT/'_slides'
LESSON = ROOT/'nbs'/'lessons'/'lesson1.ipynb'
DECK = SLIDES/f'{LESSON.stem}.slides.html'
REVEAL = 'lib/reveal.js/dist/reveal.js' # the module id the deck `require`s
W, H = 1280, 720

def slide_types(nb) -> list: return [c.metadata.get('slideshow', {}).get('slide_type') for c in nb.cells]

def expected_slides(nb) -> int:
    "Slides the notebook's metadata asks for: cells starting a slide or subslide, skipped cells and notes left out"
    shown = [t for t in slide_types(nb) if t not in ('skip', 'notes')]
    return sum(t in ('slide', 'subslide') for t in shown) + (shown[0] not in ('slide', 'subslide')) # the first shown cell always starts one

def is_directive_cell(c) -> bool:
    "A code cell of only `#|` directives, or one nbdev hides (as nbdev reads them)"
    if c.cell_type != 'code': return False
    d = extract_directives(c, remove=False)
    return 'hide' in d or (bool(d) and first_code_ln(c.source.splitlines(True)) is None)

# --- the notebook's metadata: no browser needed ---

def test_every_cell_has_slideshow_metadata():
    nb = nbformat.read(LESSON, as_version=4)
    types = slide_types(nb)
    assert all(t in ('slide', 'subslide', 'fragment', '-', 'skip') for t in types), types
    assert all(t == 'skip' for c,t in zip(nb.cells, types) if is_directive_cell(c)), 'directive and hidden cells are skipped'
    assert sum(c.cell_type == 'markdown' and speaker_notes(c.source) is not None for c in nb.cells) >= 3, 'speaker notes'
    assert {'theme', 'scroll', 'transition'} <= set(nb.metadata['rise'])

def test_notes_cells_written_as_asides():
    "A cell of slide type `notes` (RISE shows its markdown twice in the speaker view) is an aside after `make export`"
    run(BIN/'python', ROOT/'tools'/'slides'/'rise_cells.py', '--check', cwd=ROOT)

def test_clean_keeps_slideshow_metadata(tmp_path):
    "`nbdev_clean` (as `make export` runs it) keeps every cell's `slideshow` and the notebook's `rise` metadata"
    fn = tmp_path/LESSON.name
    shutil.copy(LESSON, fn)
    run(BIN/'nbdev_clean', '--fname', fn, cwd=ROOT)
    before, after = nbformat.read(LESSON, as_version=4), nbformat.read(fn, as_version=4)
    assert [c.metadata.get('slideshow') for c in after.cells] == [c.metadata.get('slideshow') for c in before.cells]
    assert all(c.metadata.get('slideshow') for c in after.cells)
    assert after.metadata['rise'] == before.metadata['rise']

# --- the deck in a browser ---

needs_deck = pytest.mark.skipif(not DECK.exists(), reason='run `make slides` first (make test does)')

JS_SLIDES = """R => R.getSlides().map(s => {
    const i = R.getIndices(s);
    R.slide(i.h, i.v, s.querySelectorAll('.fragment').length); // every fragment shown, as at the end of the slide
    const r = s.getBoundingClientRect(), clipped = [...s.querySelectorAll('pre')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).length;
    const px = e => parseFloat(getComputedStyle(e).fontSize) * R.getScale(), on = e => !e.closest('aside.notes') && e.innerText.trim();
    const small = (sel, min) => [...s.querySelectorAll(sel)].filter(e => on(e) && px(e) < min).map(e => [px(e), e.innerText.slice(0, 30)]);
    const notes = document.createElement('div'); notes.innerHTML = R.getSlideNotes(s) || '';
    return {h: i.h, v: i.v, text: s.innerText.trim().slice(0, 60), imgs: [...s.querySelectorAll('img')].map(e => e.naturalWidth),
            code: s.querySelectorAll('.jp-CodeCell .jp-InputArea').length, sh: s.scrollHeight, sw: s.scrollWidth,
            top: r.top, bottom: r.bottom, left: r.left, right: r.right, clipped, notes: notes.textContent,
            small_text: small('.jp-RenderedMarkdown :is(p, li, td, th)', 24), small_code: small('pre', 18),
            img_scale: Math.min(...[...s.querySelectorAll('img')].filter(e => e.naturalWidth)
                                   .map(e => e.getBoundingClientRect().width / e.naturalWidth))};
})"""

@pytest.fixture(scope='module')
def deck():
    "The deck open at its first slide in headless Chromium: (page, Reveal config, one dict per slide)"
    with serve(SLIDES) as base, browser(W, H) as new_page:
        p = new_page()
        p.page.goto(f'{base}/{DECK.name}', wait_until='networkidle')
        p.page.wait_for_function(f"""new Promise(ok => require(['{REVEAL}'], R => {{ window.Reveal = R; ok(R.isReady()) }}))""")
        p.page.wait_for_function('Reveal.isReady()')
        slides = p.page.evaluate(f'({JS_SLIDES})(Reveal)')
        p.page.evaluate('Reveal.slide(0, 0, 0)')
        yield p, p.page.evaluate('({w: Reveal.getConfig().width, h: Reveal.getConfig().height})'), slides

@needs_deck
def test_loads_as_reveal(deck):
    p, cfg, slides = deck
    assert p.page.locator('.reveal .slides section').count() > 0, 'a reveal.js deck, not a plain page'
    assert p.page.evaluate('document.querySelector(".reveal").classList.contains("ready")')
    assert (cfg['w'], cfg['h']) == (W, H), 'the deck has the size of the notebook\'s rise metadata'

@needs_deck
def test_slide_count(deck):
    p, _, slides = deck
    assert len(slides) == expected_slides(nbformat.read(LESSON, as_version=4))
    assert p.page.locator('.reveal .slides > section > section').count() == len(slides)
    assert p.page.locator('aside.notes').count() >= 3, 'speaker notes travel with the slides'

@needs_deck
def test_every_slide_has_content(deck):
    empty = [(s['h'], s['v']) for s in deck[2] if not s['text'] and not any(s['imgs'])]
    assert not empty, f'slides without visible content: {empty}'
    assert all(w > 0 for s in deck[2] for w in s['imgs']), 'every image loads'

@needs_deck
def test_no_slide_overflows(deck):
    _, cfg, slides = deck
    big = [s for s in slides if s['sh'] > cfg['h'] or s['sw'] > cfg['w'] or s['clipped']
           or s['top'] < 0 or s['bottom'] > H or s['left'] < 0 or s['right'] > W]
    assert not big, 'slides too big for 1280×720:\n' + '\n'.join(
        f"{s['h']}/{s['v']} {s['text'][:40]!r}: {s['sw']}×{s['sh']} px, {s['clipped']} clipped blocks" for s in big)

@needs_deck
def test_readable(deck):
    "On a 1280×720 screen: text at least 24 px, code and printed output 18 px, figures at their size (their text is 14 px and up)"
    small = [s for s in deck[2] if s['small_text'] or s['small_code'] or s['img_scale'] < .99]
    assert not small, 'too small for a room:\n' + '\n'.join(
        f"{s['h']}/{s['v']} {s['text'][:40]!r}: text {s['small_text'][:2]}, code {s['small_code'][:2]}, figures ×{s['img_scale']:.2f}"
        for s in small)

@needs_deck
def test_speaker_notes_once(deck):
    "The speaker view (reveal.js's notes) shows each note of the notebook once"
    nb = nbformat.read(LESSON, as_version=4)
    notes = ' '.join(s['notes'] for s in deck[2])
    for c in nb.cells:
        if c.cell_type == 'markdown' and (md := speaker_notes(c.source)):
            words = md.split('\n')[0][:30]
            assert notes.count(words) == 1, f'{words!r} is in the speaker notes {notes.count(words)} times'

@needs_deck
def test_no_directives_on_slides():
    assert '#|' not in DECK.read_text()

@needs_deck
def test_offline_without_errors(deck):
    p = deck[0]
    assert not p.external, f'requests left localhost: {p.external}'
    assert not p.errors, p.errors

@needs_deck
def test_screenshots(deck, artifacts):
    "PNGs of the title slide and of the first slide with code and a plot, for a person to look at"
    p, _, slides = deck
    p.page.evaluate('Reveal.slide(0, 0, 0)'); p.page.wait_for_timeout(800) # past the transition
    p.page.screenshot(path=str(artifacts/'slides-title.png'))
    s = next(s for s in slides if s['code'] and s['imgs'])
    p.page.evaluate(f"Reveal.slide({s['h']}, {s['v']}, 99)"); p.page.wait_for_timeout(800)
    p.page.screenshot(path=str(artifacts/'slides-code-plot.png'))
    assert (artifacts/'slides-code-plot.png').stat().st_size > 10_000

# --- the docs site ---

DOCS = ROOT/'_docs'

@pytest.mark.skipif(not (DOCS/'slides'/DECK.name).exists(), reason='run `make slides docs` first (make test does)')
def test_docs_link_to_slides():
    "The lesson's docs page links to its deck, and `make docs` published the deck (and its libraries) beside the pages"
    page = DOCS/'lessons'/f'{LESSON.stem}.html'
    links = [h for h in re.findall(r'href="([^"#]+)"', page.read_text()) if h.endswith('.slides.html')]
    assert links, f'{page} has no link to the slides'
    assert all((page.parent/h).resolve() == (DOCS/'slides'/DECK.name).resolve() for h in links), links
    assert (DOCS/'slides'/'lib'/'reveal.js'/'dist'/'reveal.js').exists()
