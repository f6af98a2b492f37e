"The docs site built by `make docs` renders in a real browser, offline."
import pytest
from conftest import ROOT
from browser import serve, browser

DOCS = ROOT/'_docs'
pytestmark = pytest.mark.skipif(not (DOCS/'index.html').exists(), reason='run `make docs` first (make test does)')

def open_page(new_page, url):
    p = new_page()
    p.page.goto(url, wait_until='networkidle')
    return p

def test_home_page(artifacts):
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/index.html')
        p.page.screenshot(path=str(artifacts/'docs-index.png'))
        assert 'carclf' in p.page.title()
        assert p.page.locator('article h1').inner_text().startswith('carclf')
        nav = p.page.locator('nav.bd-docs-nav a.reference.internal')
        assert nav.count() >= 3, 'sidebar lists the lesson and reference pages'
        assert not p.external, f'requests left localhost: {p.external}'
        assert not p.errors, p.errors

def test_api_page(artifacts):
    "A reference page shows its title, code cells, rendered `show_doc` and a figure"
    page_html = DOCS/'api'/'synth.html'  # named as nbdev's doc links name it
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/api/{page_html.name}')
        p.page.screenshot(path=str(artifacts/'docs-api.png'))
        assert p.page.locator('article h1').count() == 1, 'one title'
        assert p.page.locator('div.cell_input').count() >= 3, 'code cells'
        assert p.page.locator('div.cell_output img').count() >= 1, 'a figure'
        imgs = p.page.eval_on_selector_all('div.cell_output img', 'els => els.map(e => e.naturalWidth)')
        assert all(w > 0 for w in imgs), 'every image loads'
        assert p.page.locator('article .carclf-doc').count() >= 1, 'rendered show_doc'
        assert 'show_doc' not in p.page.locator('article').inner_text(), 'show_doc calls are hidden, their output shown'
        assert not p.external, f'requests left localhost: {p.external}'
        assert not p.errors, p.errors

## What a reader of the site sees: links, show_doc, teacher notes (issue 13)

import posixpath, re
from configparser import ConfigParser
from html.parser import HTMLParser

class _Html(HTMLParser):
    "The ids and link targets of a built page"
    def __init__(self, text):
        super().__init__(); self.ids, self.hrefs = set(), []
        self.feed(text)
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get('id'): self.ids.add(a['id'])
        if tag == 'a' and a.get('href') is not None: self.hrefs.append(a['href'])

def site_pages() -> dict:
    "{path relative to `_docs/`: its HTML} for every page of the site (Sphinx's own, not the slide decks)"
    return {str(p.relative_to(DOCS)): p.read_text() for p in sorted(DOCS.rglob('*.html'))
            if p.relative_to(DOCS).parts[0] not in ('_static', '_sources', 'slides')}

def published_url() -> str:
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    return cfg['DEFAULT']['doc_host'].rstrip('/') + '/' + cfg['DEFAULT']['doc_baseurl'].strip('/') + '/'

def test_no_quarto_syntax_on_any_page():
    "Quarto's link attributes (`{target=\"_blank\" ...}` after nbdev's source links) mean nothing to a reader"
    bad = [p for p,s in site_pages().items() if '{target=' in s]
    assert not bad, f'literal {{target= on {bad}'

def test_links_and_anchors_resolve():
    "Every link inside the site leads to a page that exists, and to an anchor on it; none goes to the published site"
    pages = site_pages()
    parsed = {p: _Html(s) for p,s in pages.items()}
    site, broken, published = published_url(), [], []
    for page, h in parsed.items():
        for href in h.hrefs:
            if href.startswith(site): published.append(f'{page}: {href}'); continue
            if re.match(r'^[a-z][a-z0-9+.-]*:', href) or href.startswith('//'): continue  # external
            path, _, frag = href.partition('#')
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
            if (DOCS/target).is_dir(): target = posixpath.join(target, 'index.html')
            if not (DOCS/target).exists(): broken.append(f'{page}: {href} (no {target})'); continue
            if frag and target in parsed and frag not in parsed[target].ids: broken.append(f'{page}: {href} (no #{frag} on {target})')
    assert not published, f'links to the published site leave a local build: {published[:10]}'
    assert not broken, f'{len(broken)} broken links: {broken[:20]}'

def test_anchors_are_unique():
    "One element per id, so a doc link lands on one place"
    dups = {p: sorted(i for i in set(ids) if ids.count(i) > 1) for p,s in site_pages().items()
            if (ids := re.findall(r'\sid="([^"]+)"', s)) and len(ids) != len(set(ids))}
    assert not dups, dups

def test_home_where_to_go_next(artifacts):
    "The home page's links to the reference pages work in a browser, and they are the same notebooks GitHub links to"
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/index.html')
        links = p.page.locator('section#where-to-go-next li a')
        hrefs = [links.nth(i).get_attribute('href') for i in range(links.count())]
        assert 'api/learner.html' in hrefs and 'explanations/benchmarks.html' in hrefs, hrefs
        assert not [h for h in hrefs if h.startswith('#') or '.ipynb' in h], hrefs
        p.page.locator('section#where-to-go-next a[href="api/learner.html"]').first.click()
        p.page.wait_for_load_state('networkidle')
        assert p.page.url.endswith('/api/learner.html')
        assert p.page.locator('article h1').inner_text().startswith('Learner')
        assert not p.errors, p.errors

def _docs_of(p, name):
    "The rendered `show_doc` of `name` on the open page"
    return p.page.locator(f'.carclf-doc:has(> .carclf-doc-name code:text-is("{name}"))').first

def test_show_doc_like_nbdev(artifacts):
    "Source link floated right, a readable wrapped signature, and a Type / Default / Details table"
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/api/learner.html#car_learner')
        d = _docs_of(p, 'car_learner')
        d.scroll_into_view_if_needed()
        p.page.screenshot(path=str(artifacts/'docs-show-doc.png'))
        src = d.locator('a.carclf-source')
        assert src.inner_text() == 'source'
        assert src.evaluate('e => getComputedStyle(e).float') == 'right'
        assert src.get_attribute('href').startswith('https://github.com/') and src.get_attribute('target') == '_blank'
        sig = d.locator('.carclf-sig pre').inner_text()
        assert 'metrics=(accuracy, error_rate)' in sig, sig
        assert '0x' not in sig and '#' not in sig and '`' not in sig, sig
        assert d.locator('table.carclf-params th').all_inner_texts() == ['', 'Type', 'Default', 'Details']
        row = d.locator('table.carclf-params tr:has(td code:text-is("dls"))')
        assert row.locator('a').get_attribute('href') == 'data.html#car_dls', 'doc links are relative'
        assert d.locator('table.carclf-params tr:has(td strong:text-is("Returns"))').count() == 1
        assert p.page.locator('a.carclf-source:has-text("{target")').count() == 0
        assert not p.errors, p.errors

@pytest.mark.parametrize('page', ['index.html', 'lessons/lesson1.html', 'api/learner.html', 'api/collect.html',
                                  'api/interpret.html', 'api/export.html'])
def test_code_does_not_scroll_sideways(page):
    "At 1280x720 every code block and signature shows its whole width: it wraps rather than scrolls"
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/{page}')
        wide = p.page.eval_on_selector_all('article pre',
                                           'els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 80))')
        n = p.page.locator('article pre').count()
        assert n and not wide, f'{len(wide)} of {n} code blocks scroll sideways: {wide[:5]}'
        sigs = p.page.locator('.carclf-sig pre').all_inner_texts()
        assert not [s for s in sigs if re.search(r' at 0x[0-9a-f]+', s)], 'memory addresses in signatures'

def test_methods_documented(artifacts):
    "A class's public methods have docs of their own, where nbdev's doc links point (`#predictor.predict`)"
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/api/export.html#predictor.predict')
        p.page.screenshot(path=str(artifacts/'docs-methods.png'))
        for name, sig in [('Predictor.predict', 'def predict(img)->tuple'),
                          ('Predictor.predict_batch', 'def predict_batch(files:list, bs:int=64)->Tensor')]:
            h = p.page.locator(f'[id="{name.lower()}"]')
            assert h.count() == 1 and h.is_visible(), name
            d = _docs_of(p, name)
            assert d.locator('.carclf-sig pre').inner_text().strip() == sig
            assert d.locator('.carclf-docstring').inner_text().strip(), f'{name} has a docstring'
            assert d.locator('table.carclf-params').count() == 1
        top = p.page.evaluate("document.getElementById('predictor.predict').getBoundingClientRect().top")
        assert top < 200, 'the anchor scrolls to the method'

def test_teacher_notes_stand_out(artifacts):
    "Speaker notes and the lesson's notes for whoever presents are a styled aside, not paragraphs students read as the lesson"
    with serve(DOCS) as base, browser() as new_page:
        p = open_page(new_page, f'{base}/lessons/lesson1.html')
        p.page.screenshot(path=str(artifacts/'docs-teacher-notes.png'))
        for text in ['Before you start talking', 'Presenting?']:
            para = p.page.locator('article p', has_text=text).first
            assert para.count(), text
            aside = para.locator('xpath=ancestor::div[contains(@class, "carclf-teacher")]')
            assert aside.count() == 1, f'"{text}" is not in a teacher note'
            assert aside.locator('.admonition-title').inner_text().strip() in ("Teacher's note", 'Teacher’s note', 'For teachers')
            bg = aside.evaluate('e => getComputedStyle(e).backgroundColor')
            assert bg not in ('rgba(0, 0, 0, 0)', 'transparent'), 'looks different from the text around it'
        notes = p.page.locator('div.carclf-teacher').count()
        assert notes >= 2
        assert not p.errors, p.errors
