# Sphinx configuration for the offline docs build (see tools/build_docs.py).
from configparser import ConfigParser
from pathlib import Path

root = Path(__file__).resolve().parents[2]
cfg = ConfigParser(delimiters=['=']); cfg.read(root/'settings.ini')
cfg = cfg['DEFAULT']
project, author, copyright, release = cfg['lib_name'], cfg['author'], cfg['copyright'], cfg['version']
html_title = project

extensions = ['myst_nb', 'sphinx_external_toc']
external_toc_path = '_toc.yml'
exclude_patterns = ['**.ipynb_checkpoints', '*.yml']
nb_execution_mode = 'off'                     # render the saved outputs; `make test` runs the notebooks
nb_ipywidgets_js = {}                         # no widget JavaScript from a CDN
myst_enable_extensions = ['attrs_inline', 'colon_fence', 'dollarmath']
suppress_warnings = ['myst.header', 'misc.highlighting_failure', 'toc.not_included']
html_theme = 'sphinx_book_theme'
html_theme_options = {'repository_url': cfg['git_url'], 'use_repository_button': True,
                      'show_toc_level': 2, 'navigation_with_keys': False}
html_static_path = [str(root/'nbs'/'styles.css'), str(Path(__file__).parent/'docs.css')]  # nbdev's Quarto stylesheet, then ours
html_css_files = ['styles.css', 'docs.css']
html_context = {'default_mode': 'light'}  # without it the theme logs a console error on a first visit
