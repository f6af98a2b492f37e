"A local static web server and headless Chromium that refuses every request leaving localhost."
import functools, http.server, threading
from contextlib import contextmanager
from urllib.parse import urlparse
from playwright.sync_api import sync_playwright

CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--disable-quic']

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@contextmanager
def serve(folder):
    "Serve `folder` over HTTP on 127.0.0.1; yields the base URL"
    handler = functools.partial(_QuietHandler, directory=str(folder))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try: yield f'http://127.0.0.1:{srv.server_port}'
    finally: srv.shutdown(); srv.server_close()

class Page:
    "A Chromium page that records console errors, page errors and blocked (non-local) requests"
    def __init__(self, page):
        self.page, self.errors, self.external = page, [], []
        page.on('console', lambda m: m.type == 'error' and self.errors.append(m.text))
        page.on('pageerror', lambda e: self.errors.append(str(e)))
        page.route('**/*', self._route)

    def _route(self, route):
        url = urlparse(route.request.url)
        if url.scheme in ('data', 'blob') or url.hostname in ('127.0.0.1', 'localhost'): return route.continue_()
        self.external.append(route.request.url)
        route.abort()

@contextmanager
def browser(width=1280, height=720):
    "Yields a function that opens a new `Page` of the given viewport size"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try: yield lambda: Page(b.new_page(viewport=dict(width=width, height=height)))
        finally: b.close()
