"""Build the docs site into `_docs/` from the notebooks, offline.

nbdev's own renderer is Quarto, which cannot be installed here, so we keep nbdev's processing
(`nbdev_proc_nbs`: hidden cells dropped, `show_doc` rendered, doc links added) and render its
output `_proc/` with Sphinx + myst-nb + sphinx-book-theme instead, from the saved outputs
(notebooks are not re-executed: `make test` already runs them).
"""
import json, os, re, shutil, subprocess, sys
from pathlib import Path
import yaml

root = Path(__file__).resolve().parents[1]
proc, docs = root/'_proc', root/'_docs'
bin_dir = Path(sys.executable).parent
COLAB_BADGE = 'https://colab.research.google.com/assets/colab-badge.svg'

def directives(src:str) -> dict:
    "The `#|` directives at the top of a cell, as {name: value}"
    return {k.strip(): v.strip() for k,_,v in (l.strip()[2:].partition(':') for l in src.splitlines() if l.startswith('#|'))}

def quarto_to_myst(nb_path:Path) -> Path:
    "Undo the Quarto-only parts of nbdev's processing; returns the page's new path, named as Quarto would name it"
    nb = json.loads(nb_path.read_text())
    cells, dest = nb['cells'], nb_path
    if cells and cells[0]['cell_type'] == 'raw' and ''.join(cells[0]['source']).startswith('---'):
        meta = yaml.safe_load(''.join(cells[0]['source']).strip().strip('-'))
        md = f"# {meta.get('title', nb_path.stem)}\n\n" + (f"> {meta['description']}\n" if meta.get('description') else '')
        cells[0] = dict(cell_type='markdown', id='title', metadata={}, source=md)
        if meta.get('output-file'): dest = nb_path.with_name(meta['output-file']).with_suffix('.ipynb')  # doc links use it
    badge = os.path.relpath(proc/'colab-badge.svg', nb_path.parent)
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': c['source'] = src.replace(COLAB_BADGE, badge)  # the site works offline
        if c['cell_type'] != 'code': continue
        d = directives(src)  # Quarto's cell options become myst-nb tags
        tags = ['remove-input'] * (d.get('echo') == 'false') + ['remove-output'] * (d.get('output') == 'false')
        c['metadata']['tags'] = c['metadata'].get('tags', []) + tags
        c['source'] = '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))
    for out in (o for c in cells for o in c.get('outputs', [])):
        md = out.get('data', {}).get('text/markdown')
        if md: out['data']['text/markdown'] = re.sub(r'^---\n', '', ''.join(md))
    nb['metadata'].setdefault('kernelspec', dict(name='python3', display_name='Python 3', language='python'))
    nb['metadata'].setdefault('language_info', dict(name='python'))
    nb_path.unlink()
    dest.write_text(json.dumps(nb, indent=1))
    return dest

def toc_from_sidebar(sidebar:Path, pages:dict) -> dict:
    "The `sphinx-external-toc` table of contents for the pages named in nbdev's `sidebar.yml` that exist; `pages` maps renames"
    def entry(item):
        if isinstance(item, str): return {'file': str(pages[item].with_suffix(''))} if item in pages else None
        return {'caption': item['section'], 'entries': [e for e in map(entry, item['contents']) if e]}
    items = yaml.safe_load(sidebar.read_text())['website']['sidebar']['contents']
    first, *rest = items
    parts = [p for p in map(entry, rest) if p and p.get('entries')]
    return {'format': 'jb-book', 'root': entry(first)['file'], 'parts': [
        {'caption': p['caption'], 'chapters': p['entries']} for p in parts]}

def main():
    shutil.rmtree(proc, ignore_errors=True)
    subprocess.run([bin_dir/'nbdev_proc_nbs'], cwd=root, check=True)
    shutil.copy(root/'tools'/'sphinx'/'colab-badge.svg', proc)
    pages = {str(nb.relative_to(proc)): quarto_to_myst(nb).relative_to(proc) for nb in list(proc.rglob('*.ipynb'))}
    (proc/'_toc.yml').write_text(yaml.safe_dump(toc_from_sidebar(root/'nbs'/'sidebar.yml', pages), sort_keys=False))
    build = root/'_build'  # myst-nb writes scratch files beside Sphinx's output folder, so build there, then move
    shutil.rmtree(build, ignore_errors=True)
    subprocess.run([bin_dir/'sphinx-build', '-q', '-b', 'html', '-c', root/'tools'/'sphinx', proc, build/'html'], cwd=root, check=True)
    slides = root/'_slides'
    if slides.exists(): shutil.copytree(slides, build/'html'/'slides')
    (build/'html'/'.nojekyll').touch()
    shutil.rmtree(docs, ignore_errors=True)
    os.replace(build/'html', docs)
    print(f'docs: {docs}/index.html')

if __name__ == '__main__': main()
