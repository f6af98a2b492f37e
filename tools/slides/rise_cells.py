"""Keep the lessons' cell metadata in step with their nbdev directives, so RISE shows what the docs and the static deck show.

- `#| echo: false` → `jupyter.source_hidden`: JupyterLab and RISE show the cell's output without its code
  (the docs drop the code, `tools/build_slides.py` removes it from the deck);
- `#| hide` and directive-only cells → slide type `skip`, as in the deck;
- a markdown cell of slide type `notes` (what JupyterLab's property inspector calls "Notes") → the same markdown in an
  `<aside class="notes">`, slide type `-`. jupyterlab-rise 0.43.1 moves a notes cell's whole DOM into reveal.js's
  `aside.notes`, and the speaker view shows that HTML: the cell's hidden editor (the raw markdown), then the rendered
  text. An aside written in the markdown is rendered once, hidden on the slide by reveal.js, and read by the speaker
  view, by nbconvert's deck and by `tools/build_docs.py` (a "Teacher's note") alike.
`make export` runs it; `--check` changes nothing and exits 1 if a lesson is out of step (tests/test_slides.py).
"""
import re, sys
from pathlib import Path
import nbformat
from fastcore.script import call_parse
from nbdev.process import extract_directives, first_code_ln

root = Path(__file__).resolve().parents[2]
LESSONS = sorted((root/'nbs'/'lessons').glob('*.ipynb'))

NOTES = re.compile(r'\A\s*<aside class="notes">\n(.*)\n</aside>\s*\Z', re.S)

def speaker_notes(md:str) -> str|None:
    "The markdown of the speaker notes that are the whole of markdown cell source `md`, if they are"
    m = NOTES.match(md)
    return m[1].strip('\n') if m else None

def sync_cell(c) -> bool:
    "Set `c`'s RISE metadata from its directives, and write a notes cell's markdown as an aside; True if it changed"
    if c.cell_type == 'markdown' and c.metadata.get('slideshow', {}).get('slide_type') == 'notes':
        if speaker_notes(c.source) is None: c.source = f'<aside class="notes">\n\n{c.source.strip()}\n\n</aside>'
        c.metadata['slideshow']['slide_type'] = '-'
        return True
    if c.cell_type != 'code': return False
    old = nbformat.from_dict(dict(c.metadata))
    d = extract_directives(c, remove=False)
    jup = c.metadata.setdefault('jupyter', {})
    if d.get('echo:') == ['false']: jup['source_hidden'] = True
    else: jup.pop('source_hidden', None)
    if not jup: del c.metadata['jupyter']
    if 'hide' in d or first_code_ln(c.source.splitlines(True)) is None: c.metadata.setdefault('slideshow', {})['slide_type'] = 'skip'
    return c.metadata != old

@call_parse
def main(check:bool=False): # report lessons out of step instead of fixing them
    "Set the lessons' `jupyter.source_hidden` and `skip` metadata from their `#|` directives; notes cells as asides"
    stale = []
    for fn in LESSONS:
        nb = nbformat.read(fn, as_version=4)
        if any([sync_cell(c) for c in nb.cells]):
            stale.append(fn.relative_to(root))
            if not check: nbformat.write(nb, fn)
    if stale: print(('out of step, run `make export`: ' if check else 'updated: ') + ', '.join(map(str, stale)))
    if check and stale: sys.exit(1)
