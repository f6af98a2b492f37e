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
        assert p.page.locator('article .rubric').count() >= 1, 'rendered show_doc'
        assert 'show_doc' not in p.page.locator('article').inner_text(), 'show_doc calls are hidden, their output shown'
        assert not p.external, f'requests left localhost: {p.external}'
        assert not p.errors, p.errors
