"""Render the lessons as reveal.js slide decks into `_slides/`, working offline.

`jupyter nbconvert --to slides` loads reveal.js, require.js, jQuery and MathJax from CDNs, so its decks
are a plain page without internet. We install pinned copies from the npm registry (`tools/slides/package.json`),
copy them next to the decks and point nbconvert at them with relative URLs, so `_slides/` works
offline and from the docs site (`make docs` copies it to `_docs/slides/`).
The notebook's own `rise` metadata (theme, transition, scroll, size) sets the deck's reveal.js options,
so a deck looks like the notebook presented live with RISE. Directive cells (`#|`) never reach a slide.
"""
import json, shutil, subprocess, sys, tempfile
from pathlib import Path
import nbformat
from nbdev.process import extract_directives, first_code_ln

root = Path(__file__).resolve().parents[1]
npm_dir, out = root/'tools'/'slides', root/'_slides'
bin_dir = Path(sys.executable).parent
LESSONS = sorted((root/'nbs'/'lessons').glob('*.ipynb'))
LIB = 'lib' # folder under `_slides/` that holds the JavaScript libraries
# Only the parts of MathJax 2.7 that its `TeX-AMS_CHTML-full,Safe` configuration loads (9 of its 73 MB)
MATHJAX = ['MathJax.js', 'config/TeX-AMS_CHTML-full.js', 'config/Safe.js', 'config/local', 'extensions', 'localization',
           'jax/input/TeX', 'jax/element', 'jax/output/CommonHTML', 'fonts/HTML-CSS/TeX/woff']

def install_libs(dest:Path):
    "`npm ci` the pinned libraries, then copy the files the decks load into `dest`"
    if not (npm_dir/'node_modules'/'.package-lock.json').exists() or \
        (npm_dir/'package-lock.json').stat().st_mtime > (npm_dir/'node_modules'/'.package-lock.json').stat().st_mtime:
        subprocess.run(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'], cwd=npm_dir, check=True)
    nm = npm_dir/'node_modules'
    for d in ('dist', 'plugin'): shutil.copytree(nm/'reveal.js'/d, dest/'reveal.js'/d)
    shutil.copy(nm/'requirejs'/'require.js', dest)
    shutil.copy(nm/'jquery'/'dist'/'jquery.min.js', dest)
    for p in MATHJAX:
        src, dst = nm/'mathjax'/p, dest/'mathjax'/p
        if src.is_dir(): shutil.copytree(src, dst)
        else: dst.parent.mkdir(parents=True, exist_ok=True); shutil.copy(src, dst)

def offline_theme(theme:str, libs:Path) -> str:
    "`theme`, if it is a reveal.js theme that needs no internet (some load web fonts from Google)"
    css = libs/'reveal.js'/'dist'/'theme'/f'{theme}.css'
    fix = "set the notebook's rise theme to 'white', 'black' or 'serif'"
    if not css.exists(): raise ValueError(f"rise theme {theme!r} is not in reveal.js 4.0.2: {fix}")
    if '@import url(http' in css.read_text(): raise ValueError(f"rise theme {theme!r} loads fonts from the internet: {fix}")
    return theme

def directives(cell) -> tuple: # ({name: args} as nbdev reads them, e.g. {'echo:': ['false']}, the code after them)
    "The `#|` directives at the top of a code cell, read by nbdev, and the code without them"
    lines = cell.source.splitlines(True); i = first_code_ln(lines)
    return extract_directives(cell, remove=False), ''.join(lines[len(lines) if i is None else i:])

def slides_nb(nb):
    "A copy of `nb` for slides: directive lines dropped, `hide` and directive-only cells skipped, `echo: false` code hidden"
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for c in nb.cells:
        if c.cell_type != 'code': continue
        d, code = directives(c)
        if 'hide' in d or not code.strip(): c.metadata.setdefault('slideshow', {})['slide_type'] = 'skip'
        if d.get('echo:') == ['false']: c.metadata['transient'] = {'remove_source': True} # the output without its code
        c.source = code
    h1 = next((l[2:].strip() for c in nb.cells if c.cell_type == 'markdown' for l in c.source.splitlines() if l.startswith('# ')), None)
    if h1: nb.metadata['title'] = h1
    return nb

def reveal_args(rise:dict, libs:Path) -> list:
    "nbconvert options from a notebook's `rise` metadata, with the local libraries in `libs`"
    opts = {'reveal-prefix': f'{LIB}/reveal.js', 'SlidesExporter.reveal_theme': offline_theme(rise.get('theme', 'white'), libs),
            'SlidesExporter.reveal_transition': rise.get('transition', 'slide'),
            'SlidesExporter.reveal_scroll': str(bool(rise.get('scroll', False))),
            'SlidesExporter.reveal_width': str(rise.get('width', 960)), 'SlidesExporter.reveal_height': str(rise.get('height', 700)),
            'HTMLExporter.require_js_url': f'{LIB}/require.js', 'HTMLExporter.jquery_url': f'{LIB}/jquery.min.js',
            'HTMLExporter.mathjax_url': f'{LIB}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe'}
    return [f'--{k}={v}' for k,v in opts.items()]

def build_deck(nb_path:Path, dest:Path) -> Path:
    "Render the lesson `nb_path` as `dest/<name>.slides.html`"
    nb = nbformat.read(nb_path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)/nb_path.name
        nbformat.write(slides_nb(nb), src)
        subprocess.run([bin_dir/'jupyter', 'nbconvert', '--to', 'slides', src, '--output-dir', dest, '--log-level=WARN',
                        '--template-file', npm_dir/'template'/'offline.html.j2', *reveal_args(nb.metadata.get('rise', {}), dest/LIB)],
                       cwd=nb_path.parent, check=True)
    return dest/f'{nb_path.stem}.slides.html'

def main():
    if not LESSONS: sys.exit('no lessons in nbs/lessons/')
    tmp = root/'tmp'/'_slides'  # build aside (git-ignored), then swap in: `_slides/` is never half-written
    shutil.rmtree(tmp, ignore_errors=True)
    install_libs(tmp/LIB)
    decks = [build_deck(nb, tmp) for nb in LESSONS]
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    for d in decks: print(f'slides: {out/d.name}')

if __name__ == '__main__': main()
