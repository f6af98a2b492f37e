"""Build the docs site into `_docs/` from the notebooks, offline.

nbdev's own renderer is Quarto, which cannot be installed here, so we keep nbdev's processing
(`nbdev_proc_nbs`: hidden cells dropped, `show_doc` run, doc links added) and render its
output `_proc/` with Sphinx + myst-nb + sphinx-book-theme instead, from the saved outputs
(notebooks are not re-executed: `make test` already runs them).

What Quarto would have done differently is done here, on `_proc/`, before Sphinx sees it:
- `show_doc`'s markdown (Quarto link attributes, docments as comments in the signature) becomes HTML
  like nbdev's site: a right-floated source link, an anchor named as nbdev's doc links name it,
  a signature with readable defaults, a Type / Default / Details table, and the public methods
  of a documented class that its page does not document itself;
- links: nbdev's doc links to the published site become relative, and notebook-relative links
  to notebooks (`../api/00_synth.ipynb`, which work in Jupyter and on GitHub) become links to the page
  built from that notebook (`../api/synth.html`);
- teacher notes (speaker notes, and markdown a lesson keeps off its slides) become a styled aside.
"""
import html, importlib, inspect, json, os, posixpath, re, shutil, subprocess, sys
from pathlib import Path
from urllib.parse import urlsplit
import yaml
from fastcore.basics import AttrDict
from nbdev.process import extract_directives, first_code_ln
sys.path.insert(0, str(Path(__file__).parent/'slides'))
from rise_cells import speaker_notes # the lessons' speaker notes: markdown in an aside

root = Path(__file__).resolve().parents[1]
proc, docs = root/'_proc', root/'_docs'
bin_dir = Path(sys.executable).parent
COLAB_BADGE = 'https://colab.research.google.com/assets/colab-badge.svg'

def directives(src:str) -> tuple: # ({name: args} as nbdev reads them, e.g. {'echo:': ['false']}, the code after them)
    "The `#|` directives at the top of a code cell's `src`, read by nbdev, and the code without them"
    lines = src.splitlines(True); i = first_code_ln(lines)
    return extract_directives(AttrDict(source=src), remove=False), ''.join(lines[len(lines) if i is None else i:])

def front_matter(nb:dict) -> dict|None:
    "The YAML front matter nbdev writes as a first raw cell, if any"
    cells = nb['cells']
    if cells and cells[0]['cell_type'] == 'raw' and ''.join(cells[0]['source']).startswith('---'):
        return yaml.safe_load(''.join(cells[0]['source']).strip().strip('-')) or {}

def page_name(nb_path:Path) -> Path:
    "The path, under `_proc/`, of the page built from the processed notebook `nb_path`, named as Quarto would name it"
    meta = front_matter(json.loads(nb_path.read_text())) or {}
    return (nb_path.with_name(meta['output-file']).with_suffix('.ipynb') if meta.get('output-file') else nb_path).relative_to(proc)

## Links

def site_url() -> str:
    "Where the docs are published, e.g. https://user.github.io/repo/, from `settings.ini`"
    from nbdev.config import get_config
    cfg = get_config(path=root)
    return cfg.doc_host.rstrip('/') + '/' + cfg.doc_baseurl.strip('/') + '/'

_re_link = re.compile(r'(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(<?([^()\s<>]+)>?\)')  # [text](target), not images
_re_href = re.compile(r'''(\bhref=)(["'])(.*?)\2''')
_re_scheme = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:')

class Links:
    "Rewrites link targets on one page: published site → relative, notebook → the page built from it"
    def __init__(self, page:str, pages:dict, site:str):
        "`page`: this page's source notebook, relative to `nbs/`; `pages`: {notebook: page}, both relative to `nbs/`"
        self.page, self.pages, self.site = page, pages, site
        self.here = posixpath.dirname(pages.get(page, page))

    def target(self, url:str) -> str|None:
        "The relative URL `url` should become on the site, or None to leave it alone"
        if url.startswith(self.site): file, _, frag = url[len(self.site):].partition('#')  # a doc link nbdev made
        elif url.startswith(('#', '/')) or _re_scheme.match(url): return None
        else:
            path, _, frag = url.partition('#')
            nb = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), path))
            if nb not in self.pages: return None  # not a notebook this site has a page for
            file = self.pages[nb].removesuffix('.ipynb') + '.html'
        return posixpath.relpath(file or 'index.html', self.here) + ('#'+frag if frag else '')

    @staticmethod
    def private(url:str) -> bool:
        "A doc link to a private name (`#_check`, `#interp._thumb`), which has no docs to land on"
        frag = url.partition('#')[2]
        return frag.startswith('_') or '._' in frag

    def relative_file(self, url:str) -> bool:
        "A relative link to a file that is not a notebook (e.g. the slides), which myst would take for a cross-reference"
        return not (url.startswith('#') or _re_scheme.match(url) or url.startswith('/') or '.ipynb' in url)

    def markdown(self, md:str) -> str:
        "`md` with its links rewritten; rewritten markdown links become inline HTML, which myst passes through as is"
        def link(m):
            text, url = m.groups()
            new = self.target(url)
            if new is None and self.relative_file(url): new = url
            if new is None: return m.group(0)
            if self.private(new): return text  # nbdev links private names too, but documents none of them
            return f'<a class="reference internal" href="{html.escape(new)}">{text}</a>'
        def href(m):
            new = self.target(html.unescape(m.group(3)))
            return m.group(0) if new is None else f'{m.group(1)}{m.group(2)}{html.escape(new)}{m.group(2)}'
        return _re_href.sub(href, _re_link.sub(link, md))

## `show_doc` as HTML

_re_showdoc = re.compile(r'\[source\]\((?P<src>[^)]*)\)\{target=[^}]*\}\s*\n+(?P<h>#+) (?P<name>\S+)')

def fmt_value(o) -> str:
    "A default value as a reader would write it: names for functions and classes, no memory addresses"
    if isinstance(o, (tuple, list)):
        items = ', '.join(map(fmt_value, o)) + (',' if isinstance(o, tuple) and len(o) == 1 else '')
        return f'({items})' if isinstance(o, tuple) else f'[{items}]'
    if isinstance(o, dict): return '{' + ', '.join(f'{fmt_value(k)}: {fmt_value(v)}' for k,v in o.items()) + '}'
    if inspect.isfunction(o) or inspect.isclass(o) or inspect.isbuiltin(o) or inspect.ismethod(o): return o.__qualname__
    r = repr(o)
    if re.search(r' at 0x[0-9a-fA-F]+>$', r): return getattr(o, '__qualname__', None) or type(o).__name__
    return r

def fmt_anno(a) -> str:
    "An annotation as written in the source, without quotes or module prefixes"
    if a is inspect.Parameter.empty: return ''
    if isinstance(a, str): return a
    return a.__name__ if inspect.isclass(a) and not getattr(a, '__args__', None) else inspect.formatannotation(a).replace('typing.', '')

def md_inline(md:str, links:Links, lookup) -> str:
    "Render a line of markdown (a docstring, a docment) as inline HTML, backticked names linked"
    from markdown_it import MarkdownIt
    return MarkdownIt('commonmark', {'html': True}).renderInline(links.markdown(lookup.linkify(md) or ''))

def md_block(md:str, links:Links, lookup) -> str:
    from markdown_it import MarkdownIt
    return MarkdownIt('commonmark', {'html': True}).render(links.markdown(lookup.linkify(md) or ''))

def signature_of(obj):
    "The signature a reader calls `obj` with (no `self`), or None where there is none to show"
    if inspect.isclass(obj):
        init = obj.__dict__.get('__init__')  # a class from a library base (fastai's Callback) has the base's many options
        if init is None: return None
    try: sig = inspect.signature(obj)
    except (TypeError, ValueError): return None
    ps = list(sig.parameters.values())
    if ps and ps[0].name == 'self': sig = sig.replace(parameters=ps[1:])  # a method looked up on its class
    return sig

def sig_text(kind:str, name:str, sig, maxline=60) -> str:
    "`def name(a:int=1, *, b=None)->str`, one parameter per line when it is long"
    if sig is None: return f'{kind} {name}'
    ps, seen_kwonly = [], False
    params = list(sig.parameters.values())
    for i,p in enumerate(params):
        if p.kind == p.KEYWORD_ONLY and not seen_kwonly and not any(q.kind == q.VAR_POSITIONAL for q in params): ps.append('*')
        seen_kwonly = seen_kwonly or p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        s = ('*' if p.kind == p.VAR_POSITIONAL else '**' if p.kind == p.VAR_KEYWORD else '') + p.name
        if p.annotation is not p.empty: s += ':' + fmt_anno(p.annotation)
        if p.default is not p.empty: s += '=' + fmt_value(p.default)
        ps.append(s)
        if p.kind == p.POSITIONAL_ONLY and (i+1 == len(params) or params[i+1].kind != p.POSITIONAL_ONLY): ps.append('/')
    ret = '' if kind == 'class' or sig.return_annotation is sig.empty else '->' + fmt_anno(sig.return_annotation)
    one = f"{kind} {name}({', '.join(ps)}){ret}"
    if len(one) <= maxline or not ps: return one
    return f"{kind} {name}(\n" + ''.join(f'    {p},\n' for p in ps) + f"){ret}"

def param_table(obj, sig, links:Links, lookup) -> str:
    "nbdev's Type / Default / Details table, without columns that are empty"
    from fastcore.docments import docments
    if sig is None: return ''
    try: dm = docments(obj, full=True, eval_str=False)
    except Exception: dm = {}
    rows = []
    for p in sig.parameters.values():
        nm = ('*' if p.kind == p.VAR_POSITIONAL else '**' if p.kind == p.VAR_KEYWORD else '') + p.name
        doc = (dm.get(p.name) or {}).get('docment') or ''
        rows.append([f'<code>{html.escape(nm)}</code>', html.escape(fmt_anno(p.annotation)),
                     '' if p.default is p.empty else f'<code>{html.escape(fmt_value(p.default))}</code>',
                     md_inline(doc, links, lookup)])
    ret_doc = (dm.get('return') or {}).get('docment') or ''
    if rows and (ret_doc or sig.return_annotation is not sig.empty) or ret_doc:
        rows.append(['<strong>Returns</strong>', html.escape(fmt_anno(sig.return_annotation)), '', md_inline(ret_doc, links, lookup)])
    if not rows: return ''
    cols = [0] + [i for i in (1,2,3) if any(r[i] for r in rows)]
    hdr = ['', 'Type', 'Default', 'Details']
    head = ''.join(f'<th>{hdr[i]}</th>' for i in cols)
    body = ''.join('<tr>' + ''.join(f'<td>{r[i]}</td>' for i in cols) + '</tr>' for r in rows)
    return f'<table class="carclf-params table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

def highlight(code:str) -> str:
    from pygments import highlight as hl
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    pre = hl(code, PythonLexer(), HtmlFormatter(nowrap=True))
    return f'<div class="highlight-python notranslate carclf-sig"><div class="highlight"><pre>{pre}</pre></div></div>'

def doc_html(obj, name:str, src:str|None, level:int, links:Links, lookup) -> str:
    "One documented symbol, as nbdev's site shows it"
    kind = 'class' if inspect.isclass(obj) else 'def'
    sig = signature_of(obj)
    short = name.rsplit('.', 1)[-1] if kind == 'def' else name
    if kind == 'class' and sig is None:
        bases = [b for b in obj.__bases__ if b is not object]
        base_names = (b.__name__ if b.__name__ != obj.__name__ else f'{b.__module__}.{b.__qualname__}' for b in bases)
        short += '(' + ', '.join(base_names) + ')' if bases else ''
    src_link = (f'<a class="carclf-source reference external" href="{html.escape(src)}" target="_blank" rel="noopener">source</a>'
                if src else '')
    docstr = inspect.getdoc(obj) or ''
    anchor = html.escape(name.lower())
    return (f'<div class="carclf-doc">{src_link}<h{level} class="carclf-doc-name" id="{anchor}">'
            f'<code>{html.escape(name)}</code><a class="headerlink" href="#{anchor}" title="Link to this definition">#</a></h{level}>'
            + highlight(sig_text(kind, short, sig))
            + (f'<div class="carclf-docstring">{md_block(docstr, links, lookup)}</div>' if docstr else '')
            + param_table(obj, sig, links, lookup) + '</div>')

def resolve(src:str, name:str):
    "The object `show_doc` documented, from its source link (`…/carclf/learner.py#L25`) and its name (`Predictor.predict`)"
    mod = urlsplit(src).path.split('/blob/', 1)[-1].split('/', 1)[-1].removesuffix('.py').replace('/', '.')
    obj = importlib.import_module(mod)
    for part in name.split('.'): obj = getattr(obj, part)
    return obj

def own_methods(cls) -> list:
    "The public methods with a docstring defined in `cls` itself (patched ones included), in source order"
    res = []
    for k,v in cls.__dict__.items():
        if k.startswith('_'): continue
        f = v.__func__ if isinstance(v, (classmethod, staticmethod)) else v.fget if isinstance(v, property) else v
        if inspect.isfunction(f) and inspect.getdoc(f): res.append((k, getattr(cls, k) if not isinstance(v, property) else v))
    return res

def render_show_docs(cells:list, links:Links, lookup):
    "Replace each `show_doc` markdown output by HTML; document a class's undocumented methods after it"
    found = []
    for c in cells:
        for o in c.get('outputs', []):
            m = _re_showdoc.search(''.join(o.get('data', {}).get('text/markdown', '')))
            if m: found.append((o, m))
    documented = {m['name'] for _,m in found}
    for o,m in found:
        try: obj = resolve(m['src'], m['name'])
        except (ImportError, AttributeError) as e:
            print(f'docs: cannot find {m["name"]} ({e}), kept as nbdev rendered it', file=sys.stderr); continue
        level = len(m['h'])
        out = doc_html(obj, m['name'], m['src'], level, links, lookup)
        if inspect.isclass(obj):
            for k,meth in own_methods(obj):
                nm = f"{m['name']}.{k}"
                if nm in documented: continue
                f = getattr(meth, '__func__', meth)
                f = getattr(f, 'fget', f)
                try: line = inspect.getsourcelines(f)[1]
                except (OSError, TypeError): line = None
                msrc = re.sub(r'#L\d+$', f'#L{line}', m['src']) if line else None
                out += doc_html(meth, nm, msrc, min(level+1, 6), links, lookup)
        o['data'] = {'text/html': out, 'text/plain': m['name']}

## Teacher notes

TEACHER = {'notes': "Teacher's note", 'skip': 'For teachers'}

def teacher_note(cell:dict, page:str) -> str|None:
    "The title of the aside a markdown cell is shown in: speaker notes anywhere, markdown a lesson keeps off its slides"
    kind = cell['metadata'].get('slideshow', {}).get('slide_type')
    if speaker_notes(''.join(cell['source'])) is not None: kind = 'notes' # an aside, as tools/slides/rise_cells.py writes them
    if kind == 'notes' or (kind == 'skip' and page.startswith('lessons/')): return TEACHER[kind]

def as_aside(md:str, title:str) -> str:
    fence = ':' * max(4, max((len(s) for s in re.findall(r'^:{3,}', md, re.M)), default=0) + 1)
    return f'{fence}{{admonition}} {title}\n:class: note carclf-teacher\n\n{md}\n{fence}\n'

## The pages

def quarto_to_myst(nb_path:Path, pages:dict, site:str, lookup) -> Path:
    "Undo the Quarto-only parts of nbdev's processing; returns the page's new path (from `pages`)"
    nb = json.loads(nb_path.read_text())
    page = str(nb_path.relative_to(proc))
    dest = proc/pages[page]
    links = Links(page, pages, site)
    cells = nb['cells']
    meta = front_matter(nb)
    if meta is not None:
        md = f"# {meta.get('title', nb_path.stem)}\n\n" + (f"> {meta['description']}\n" if meta.get('description') else '')
        cells[0] = dict(cell_type='markdown', id='title', metadata={}, source=md)
    badge = os.path.relpath(proc/'colab-badge.svg', nb_path.parent)
    render_show_docs(cells, links, lookup)
    for c in cells:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            src = links.markdown(src.replace(COLAB_BADGE, badge))  # the site works offline
            if (title := teacher_note(c, page)):
                notes = speaker_notes(src)
                src = as_aside(src.strip('\n') if notes is None else notes, title)
            c['source'] = src
        if c['cell_type'] != 'code': continue
        d, c['source'] = directives(src)  # Quarto's cell options become myst-nb tags
        tags = ['remove-input'] * (d.get('echo:') == ['false']) + ['remove-output'] * (d.get('output:') == ['false'])
        c['metadata']['tags'] = c['metadata'].get('tags', []) + tags
    for out in (o for c in cells for o in c.get('outputs', [])):
        md = out.get('data', {}).get('text/markdown')
        if md: out['data']['text/markdown'] = links.markdown(re.sub(r'^---\n', '', ''.join(md)))
    nb['metadata'].setdefault('kernelspec', dict(name='python3', display_name='Python 3', language='python'))
    nb['metadata'].setdefault('language_info', dict(name='python'))
    nb_path.unlink()
    dest.write_text(json.dumps(nb, indent=1))
    return dest

def toc_from_sidebar(sidebar:Path, pages:dict) -> dict:
    "The `sphinx-external-toc` table of contents for the pages named in nbdev's `sidebar.yml` that exist; `pages` maps renames"
    def entry(item):
        if isinstance(item, str): return {'file': str(Path(pages[item]).with_suffix(''))} if item in pages else None
        return {'caption': item['section'], 'entries': [e for e in map(entry, item['contents']) if e]}
    items = yaml.safe_load(sidebar.read_text())['website']['sidebar']['contents']
    first, *rest = items
    parts = [p for p in map(entry, rest) if p and p.get('entries')]
    return {'format': 'jb-book', 'root': entry(first)['file'], 'parts': [
        {'caption': p['caption'], 'chapters': p['entries']} for p in parts]}

def drop_duplicate_ids(site:Path):
    """One element per id. A show_doc anchor that a section already has (`## Predictor`, then `Predictor`'s docs) is left
    to the section, as on nbdev's site; but the page's title section (`# Collect`, which nothing links to) gives its id to the docs"""
    doc_id = r'(<h\d class="carclf-doc-name") id="([^"]+)"'
    for f in site.rglob('*.html'):
        s = orig = f.read_text()
        docs_ids = {m[2] for m in re.finditer(doc_id, s)}
        top = re.search(r'<section\b[^>]*\sid="([^"]+)"', s)
        if top and top[1] in docs_ids: s = s[:top.start()] + top[0].replace(f'id="{top[1]}"', f'id="{top[1]}-page"') + s[top.end():]
        others = set(re.findall(r'\sid="([^"]+)"', re.sub(doc_id, r'\1', s)))
        s = re.sub(doc_id, lambda m: m[1] if m[2] in others else m[0], s)
        if s != orig: f.write_text(s)

def main():
    os.chdir(root)
    shutil.rmtree(proc, ignore_errors=True)
    # `nbdev_proc_nbs`, less its first step: without Quarto (never here) that step pip-installs carclf from PyPI's index
    subprocess.run([sys.executable, '-c', 'import nbdev.quarto as q; q._ensure_quarto = lambda: None; q.nbdev_proc_nbs.__wrapped__()'],
                   cwd=root, check=True)
    shutil.copy(root/'tools'/'sphinx'/'colab-badge.svg', proc)
    from nbdev.doclinks import NbdevLookup
    nbs = list(proc.rglob('*.ipynb'))
    pages = {str(nb.relative_to(proc)): str(page_name(nb)) for nb in nbs}
    site, lookup = site_url(), NbdevLookup()
    for nb in nbs: quarto_to_myst(nb, pages, site, lookup)
    (proc/'_toc.yml').write_text(yaml.safe_dump(toc_from_sidebar(root/'nbs'/'sidebar.yml', pages), sort_keys=False))
    build = root/'_build'  # myst-nb writes scratch files beside Sphinx's output folder, so build there, then move
    shutil.rmtree(build, ignore_errors=True)
    subprocess.run([bin_dir/'sphinx-build', '-q', '-b', 'html', '-c', root/'tools'/'sphinx', proc, build/'html'], cwd=root, check=True)
    drop_duplicate_ids(build/'html')
    slides = root/'_slides'
    if slides.exists(): shutil.copytree(slides, build/'html'/'slides')
    (build/'html'/'.nojekyll').touch()
    shutil.rmtree(docs, ignore_errors=True)
    os.replace(build/'html', docs)
    print(f'docs: {docs}/index.html')

if __name__ == '__main__': main()
