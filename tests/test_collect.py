"Collecting images for real, offline: downloads from an HTTP server on 127.0.0.1, `carclf clean` on a folder of bad files."
import csv, os, time
from pathlib import Path
import numpy as np, pandas as pd, pytest
from PIL import Image
from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException
from conftest import BIN, run
from carclf.collect import fetch_images, clean, shrink_images, search_ddg, SearchError, url_stem, decode_image
from carclf.test_utils import car_img, image_bytes, bomb_png, LoopbackServer

# --- test data and a web server on 127.0.0.1, from carclf.test_utils ------------------------------------------------------
JPG, BOMB = image_bytes(car_img(0)), bomb_png()
KW = dict(timeout=1, max_size=1_000_000, tries=3, pause=0.05, progress=False)
# path: (status, headers, body, delay), and what the download report must say
CASES = {
    '/car.jpg':       ((200, {'Content-Type': 'image/jpeg'}, JPG, 0),                   'downloaded', '', '.jpg'),
    '/car.png':       ((200, {'Content-Type': 'image/png'}, image_bytes(car_img(1), 'PNG'), 0), 'downloaded', '', '.png'),
    '/car.webp':      ((200, {'Content-Type': 'image/webp'}, image_bytes(car_img(2), 'WEBP'), 0), 'downloaded', '', '.webp'),
    '/png-named.jpg': ((200, {'Content-Type': 'image/jpeg'}, image_bytes(car_img(3), 'PNG'), 0), 'downloaded', '', '.png'),
    '/no-ext':        ((200, {'Content-Type': 'text/plain'}, image_bytes(car_img(4), 'GIF'), 0), 'downloaded', '', '.gif'),
    '/redirect.jpg':  ((302, {'Location': '/target.jpg'}, b'', 0),                       'downloaded', '', '.jpg'),
    '/copy.jpg':      ((200, {}, JPG, 0),                                                'downloaded', '', '.jpg'),  # exact duplicate
    '/resized.jpg':   ((200, {}, image_bytes(car_img(0).resize((100, 75)), quality=60), 0), 'downloaded', '', '.jpg'),  # near duplicate
    '/missing.jpg':   ((404, {}, b'not found', 0),                 'failed', 'HTTP 404', None),
    '/forbidden.jpg': ((403, {}, b'no', 0),                        'failed', 'HTTP 403', None),
    '/error.jpg':     ((500, {}, b'oops', 0),                      'failed', 'HTTP 500', None),
    '/busy.jpg':      ((429, {}, b'slow down', 0),                 'failed', 'HTTP 429', None),
    '/slow.jpg':      ((200, {}, JPG, 3),                          'failed', 'timed out', None),
    '/cut.jpg':       ((200, {'Content-Length': str(len(JPG))}, JPG[:len(JPG)//3], 0),
                       'failed', 'connection error (ChunkedEncodingError)', None),
    '/half.jpg':      ((200, {}, JPG[:len(JPG)//2], 0),            'failed', 'truncated', None),
    '/page.jpg':      ((200, {'Content-Type': 'image/jpeg'}, b'<!doctype html><html><body>Ferrari</body></html>', 0),
                       'failed', 'not an image', None),
    '/empty.jpg':     ((200, {}, b'', 0),                          'failed', 'empty file', None),
    '/huge.jpg':      ((200, {}, bytes(3_000_000), 0),             'failed', 'over 1,000,000 bytes', None),  # no Content-Length
    '/huge-cl.jpg':   ((200, {'Content-Length': '3000000'}, bytes(3_000_000), 0), 'failed', 'over 1,000,000 bytes', None),
    '/loop.jpg':      ((302, {'Location': '/loop.jpg'}, b'', 0),   'failed', 'redirect loop', None),
    '/bad-redirect.jpg': ((302, {'Location': 'http://[::1'}, b'', 0), 'failed', 'ValueError: Invalid IPv6 URL', None),  # unforeseen
    '/tiny.png':      ((200, {}, image_bytes(car_img(5, 40, 30), 'PNG'), 0), 'failed', 'too small (40x30)', None),
    '/bomb.png':      ((200, {}, BOMB, 0),                   'failed', 'decompression bomb', None),
}
ROUTES = {p: c[0] for p, c in CASES.items()} | {'/target.jpg': (200, {}, image_bytes(car_img(6)), 0)}

@pytest.fixture
def srv():
    with LoopbackServer(ROUTES) as s: yield s

def test_download_matrix(srv, tmp_path):
    urls = [srv.url(p) for p in CASES] + [srv.url('/car.jpg')]   # the last one: the same URL twice
    rep = fetch_images(urls, tmp_path/'dl', **KW)
    # every URL accounted for, in order, with the expected status and reason
    assert rep.url.tolist() == urls
    got = {u.split(str(srv.server_port))[1]: (s, r) for u, s, r in zip(rep.url[:-1], rep.status, rep.reason)}
    assert {p: (s, r.split(' (')[0] if p in ('/bomb.png', '/half.jpg') else r) for p, (s, r) in got.items()} == \
           {p: c[1:3] for p, c in CASES.items()}   # these two reasons go on with PIL's message
    assert rep.iloc[-1][['status', 'reason']].tolist() == ['skipped', 'duplicate URL in the list']
    counts = rep.status.value_counts().to_dict()
    assert counts == {'downloaded': 8, 'failed': 15, 'skipped': 1} and sum(counts.values()) == len(urls) == 24
    # exactly the expected files, named from the URL, with the extension of the decoded format; no partial files
    want = {url_stem(srv.url(p)) + c[3] for p, c in CASES.items() if c[1] == 'downloaded'}
    assert {f.name for f in (tmp_path/'dl').iterdir()} == want
    assert set(rep.file[rep.status == 'downloaded']) == want
    for f in (tmp_path/'dl').iterdir(): decode_image(f)
    # retries: transient errors are retried `tries` times, the others asked once
    asked = ['/missing.jpg', '/forbidden.jpg', '/page.jpg', '/error.jpg', '/busy.jpg', '/slow.jpg', '/cut.jpg']
    assert {p: srv.hits[p] for p in asked} == \
           {'/missing.jpg': 1, '/forbidden.jpg': 1, '/page.jpg': 1, '/error.jpg': 3, '/busy.jpg': 3, '/slow.jpg': 3, '/cut.jpg': 3}
    assert srv.hits['/car.jpg'] == 1

    # a second run resumes: nothing downloaded again, failures tried again
    srv.hits.clear()
    rep2 = fetch_images(urls, tmp_path/'dl', **KW)
    assert rep2.status.value_counts().to_dict() == {'skipped': 9, 'failed': 15}
    assert set(rep2.reason[rep2.status == 'skipped']) == {'already downloaded', 'duplicate URL in the list'}
    assert not any(p in srv.hits for p, c in CASES.items() if c[1] == 'downloaded')

    # cleaning keeps one of each duplicate, chosen by content, never by which download finished first:
    # /car.jpg and /copy.jpg have the same bytes (the name decides), /resized.jpg is smaller
    cl = clean(tmp_path/'dl')
    assert cl.status.value_counts().to_dict() == {'used': 6, 'quarantined': 2}
    kept, copy = sorted(url_stem(srv.url(p)) + '.jpg' for p in ['/car.jpg', '/copy.jpg'])
    assert cl[cl.status == 'quarantined'][['file', 'reason', 'detail']].values.tolist() == \
           [[copy, 'exact duplicate', f'of {kept}'], [url_stem(srv.url('/resized.jpg')) + '.jpg', 'near duplicate', f'of {kept}']]
    assert len(list((tmp_path/'dl').iterdir())) == 6

def test_download_skips_quarantined(srv, tmp_path):
    "A URL whose file was quarantined is not downloaded again"
    urls = [srv.url('/car.jpg'), srv.url('/copy.jpg')]
    fetch_images(urls, tmp_path/'d', **KW)
    clean(tmp_path/'d')
    rep = fetch_images(urls, tmp_path/'d', tmp_path/'d_quarantine', **KW)
    assert sorted(rep.reason) == ['already downloaded', 'quarantined earlier']

# --- a folder of bad files through `carclf clean` -------------------------------------------------------------------------
def make_mixed_folder(d: Path) -> dict:
    "Good images in awkward modes and bad files of every kind; returns the expected quarantine reason per bad file"
    (d/'ferrari').mkdir(parents=True); (d/'porsche'/'old').mkdir(parents=True)
    rgba = car_img(10).convert('RGBA'); rgba.putpixel((0, 0), (255, 0, 0, 0))
    pal = car_img(11).quantize(64); pal.info['transparency'] = pal.getpixel((0, 0))
    exif = Image.Exif(); exif[0x0112] = 6
    i16 = Image.fromarray((np.asarray(car_img(15).convert('L'), dtype=np.uint16) * 257))
    good = {'ferrari/rgb.jpg': image_bytes(car_img(9)), 'ferrari/rgba.png': image_bytes(rgba, 'PNG'),
            'ferrari/palette.png': image_bytes(pal, 'PNG', transparency=pal.info['transparency']),
            'ferrari/cmyk.jpg': image_bytes(car_img(12).convert('CMYK')), 'porsche/gray.png': image_bytes(car_img(13).convert('L'), 'PNG'),
            'porsche/rotated.jpg': image_bytes(car_img(14), exif=exif), 'porsche/16bit.png': image_bytes(i16, 'PNG'),
            'porsche/old/car.webp': image_bytes(car_img(16), 'WEBP'), 'porsche/anim.gif': image_bytes(car_img(17), 'GIF')}
    jpg = image_bytes(car_img(9))
    png = bytearray(image_bytes(car_img(18), 'PNG')); png[300:500] = bytes(200)   # IDAT data zeroed: the header is fine
    bad = {'ferrari/empty.jpg': (b'', 'empty file'), 'ferrari/notes.txt': (b'my favourite cars', 'not an image'),
           'ferrari/page.jpg': (b'<html><body>404</body></html>', 'not an image'),
           'porsche/half.jpg': (image_bytes(car_img(19))[:1500], 'truncated'),
           'porsche/tiny.png': (image_bytes(car_img(20, 48, 32), 'PNG'), 'too small'),
           'porsche/old/bomb.png': (BOMB, 'decompression bomb'), 'porsche/corrupt.png': (bytes(png), 'undecodable'),
           'porsche/icon.ico': (image_bytes(car_img(21, 64, 64), 'ICO'), 'unsupported format'),
           'porsche/copy.jpg': (jpg, 'exact duplicate'),
           'porsche/old/resized.jpg': (image_bytes(car_img(9).resize((96, 72)), quality=50), 'near duplicate')}
    for i, (rel, data) in enumerate([*good.items(), *((k, v[0]) for k, v in bad.items())]):
        (d/rel).write_bytes(data); os.utime(d/rel, (2e9-i, 2e9-i))   # the copies look older than their originals: no matter
    (d/'.DS_Store').write_bytes(b'\0')   # hidden: left alone
    return {rel: why for rel, (_, why) in bad.items()}

def files(d: Path): return sorted(f.relative_to(d).as_posix() for f in d.rglob('*') if f.is_file() and not f.name.startswith('.'))

def test_clean_cli_bad_files(tmp_path):
    d = tmp_path/'cars'
    expected = make_mixed_folder(d)
    before = files(d)
    res = run(BIN/'carclf', 'clean', d)
    assert res.stdout.strip().splitlines()[-1] == '9 used, 10 quarantined, 0 failed'
    used, q = files(d), files(tmp_path/'cars_quarantine')
    q.remove('reasons.csv')
    assert len(before) == 19 == len(used) + len(q)            # nothing lost
    assert sorted(used + q) == before                         # every file is where it was, or at the same place in quarantine
    assert (d/'.DS_Store').exists()
    with open(tmp_path/'cars_quarantine'/'reasons.csv') as f: log = list(csv.DictReader(f))
    assert {r['file']: r['reason'] for r in log} == expected  # each quarantined file has its reason
    assert all(r['reason'] for r in log)
    # the used images all convert to sensible RGB: transparency on white, 16-bit scaled, rotation applied
    rs = shrink_images(d)
    assert set(rs.status) == {'resized'} and len(rs) == 9
    out = tmp_path/'cars_400'
    assert Image.open(out/'ferrari'/'rgba_png.jpg').getpixel((0, 0)) >= (245, 245, 245)
    assert Image.open(out/'porsche'/'rotated.jpg').size == (96, 128)
    gray16 = np.asarray(Image.open(out/'porsche'/'16bit_png.jpg').convert('L'), dtype=float)
    gray8 = np.asarray(car_img(15).convert('L'), dtype=float)
    assert abs(gray16 - gray8).mean() < 3
    # a second clean finds nothing more
    res = run(BIN/'carclf', 'clean', d)
    assert res.stdout.strip().splitlines()[-1] == '9 used, 0 quarantined, 0 failed'

def test_clean_ignores_timing(tmp_path):
    "The same files, written in any order with any times, lose the same copies: the largest picture stays"
    big, small = car_img(40, 256, 192), car_img(40, 256, 192).resize((128, 96))
    files = {'b/photo.jpg': image_bytes(big), 'a/thumb.jpg': image_bytes(small), 'c/same.jpg': image_bytes(big),
             'c/photo.png': image_bytes(big, 'PNG')}
    results = []
    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]):
        d = tmp_path/str(order)/'cars'
        for t, i in enumerate(order):
            rel, data = list(files.items())[i]
            (d/rel).parent.mkdir(parents=True, exist_ok=True); (d/rel).write_bytes(data); os.utime(d/rel, (1e9+t, 1e9+t))
        results.append(clean(d).sort_values('file').values.tolist())
    assert results[0] == results[1] == results[2]
    assert [r[:2] for r in results[0]] == [['a/thumb.jpg', 'quarantined'], ['b/photo.jpg', 'quarantined'], ['c/photo.png', 'used'],
                                           ['c/same.jpg', 'quarantined']]   # the PNG: as many pixels, more bytes

def test_clean_cli_usage_errors(tmp_path):
    res = run(BIN/'carclf', 'clean', tmp_path/'nope', check=False)
    assert res.returncode == 1 and 'pass the folder of images to clean' in res.stderr
    res = run(BIN/'carclf', 'clean', check=False)
    assert res.returncode == 2

# --- the other commands, offline ---------------------------------------------------------------------------------------------
def test_download_cli(srv, tmp_path):
    (tmp_path/'urls.txt').write_text('\n'.join(srv.url(p) for p in ['/car.jpg', '/copy.jpg', '/car.png', '/missing.jpg', '/page.jpg']))
    res = run(BIN/'carclf', 'download', tmp_path/'urls.txt', '--dest', tmp_path/'dl')
    assert res.stdout.strip().splitlines()[-1] == '2 used, 1 quarantined, 2 failed'
    rep = pd.read_csv(tmp_path/'dl_downloads.csv')
    assert len(rep) == 5 and rep.status.value_counts().to_dict() == {'downloaded': 3, 'failed': 2}
    res = run(BIN/'carclf', 'download', tmp_path/'nope.txt', '--dest', tmp_path/'dl', check=False)
    assert res.returncode == 1 and 'nope.txt not found' in res.stderr

def test_collect_cli_url_files(srv, tmp_path):
    (tmp_path/'ferrari.txt').write_text('\n'.join(srv.url(p) for p in ['/car.jpg', '/resized.jpg', '/car.webp', '/page.jpg']))
    (tmp_path/'porsche.txt').write_text('\n'.join(srv.url(p) for p in ['/png-named.jpg', '/no-ext', '/missing.jpg']))
    args = [BIN/'carclf', 'collect', 'ferrari', 'porsche', '--dest', tmp_path/'cars', '--n', 3, '--source', tmp_path/'{term}.txt']
    out = run(*args).stdout.strip().splitlines()
    assert out[-1] == '4 used, 1 quarantined, 1 failed'      # --n 3: /page.jpg is not asked for
    assert out[-2] == f'train on {tmp_path}/cars_400'
    assert files(tmp_path/'cars_400') and len(files(tmp_path/'cars_400')) == 4
    assert {Path(f).parent.name for f in files(tmp_path/'cars_400')} == {'ferrari', 'porsche'}
    srv.hits.clear()
    out = run(*args).stdout.strip().splitlines()               # resumes: nothing fetched again but the failure
    assert out[-1] == '4 used, 0 quarantined, 1 failed'
    assert srv.hits == {'/missing.jpg': 1}

def test_collect_cli_photo_folder(tmp_path):
    for i, t in enumerate(['ferrari', 'porsche']):
        (tmp_path/'mine'/t).mkdir(parents=True)
        for j in range(3): car_img(30 + 3*i + j, 200, 150).save(tmp_path/'mine'/t/f'{j}.jpg')
    (tmp_path/'mine'/'porsche'/'broken.jpg').write_bytes(b'\xff\xd8\xff')
    out = run(BIN/'carclf', 'collect', 'ferrari', 'porsche', '--dest', tmp_path/'cars', '--size', 100,
              '--source', tmp_path/'mine'/'{term}').stdout.strip().splitlines()
    assert out[-1] == '6 used, 0 quarantined, 1 failed'
    assert {Image.open(tmp_path/'cars_100'/f).size for f in files(tmp_path/'cars_100')} == {(100, 75)}
    assert len(files(tmp_path/'mine')) == 7                   # the source photos are copied, never moved

# --- the DuckDuckGo backend's retry logic, without the network ---------------------------------------------------------------
def test_search_ddg_retries():
    raw = [dict(title='a', image='https://x.org/a.jpg', thumbnail='https://t/1'), dict(title='b', image='https://x.org/b.png'),
           dict(title='a again', image='https://x.org/a.jpg'), dict(title='none', image='')]
    errs = [RatelimitException('403 Ratelimit'), TimeoutException('timed out')]
    calls = []
    def search(term, n):
        calls.append(time.monotonic())
        if errs: raise errs.pop(0)
        return raw
    assert search_ddg('ferrari', 10, pause=0.05, search=search) == ['https://x.org/a.jpg', 'https://x.org/b.png']
    assert len(calls) == 3 and calls[1] - calls[0] >= 0.05 and calls[2] - calls[1] >= 0.1   # the pause doubles
    assert search_ddg('ferrari', 1, pause=0.05, search=lambda t, n: raw) == ['https://x.org/a.jpg']

def test_search_ddg_blocked():
    calls = []
    def blocked(term, n): calls.append(term); raise DDGSException('No results found.')
    with pytest.raises(SearchError, match='Wait a few minutes.*--n.*--source'): search_ddg('ferrari', tries=3, pause=0.01, search=blocked)
    assert len(calls) == 3
    def broken(term, n): calls.append(term); raise KeyError('a bug, not a rate limit')
    calls.clear()
    with pytest.raises(KeyError): search_ddg('ferrari', pause=0.01, search=broken)
    assert len(calls) == 1

def test_search_offline_fails_at_once(monkeypatch):
    "Without internet (no DNS) the search says so at once: no retries for a class to sit through"
    import socket, time
    def no_dns(*args, **kwargs): raise socket.gaierror(-3, 'Temporary failure in name resolution')
    monkeypatch.setattr(socket, 'getaddrinfo', no_dns)
    t = time.monotonic()
    with pytest.raises(SearchError, match='offline'): search_ddg('ferrari')
    assert time.monotonic() - t < 1
