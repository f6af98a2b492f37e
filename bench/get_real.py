"""Rebuild the real-photo development sets from their sources: `python bench/get_real.py [--mirrors DIR]`

Reads the tables in `bench/real_sources.md` and writes each photo to `$CARCLF_HOME/real/<type>/` (first table) or
`$CARCLF_HOME/real2/<type>/` (second table), taken with `git show <commit>:<path>` from the repository listed.
A repository is read from `<mirrors>/<owner>+<name>/repo` when that folder exists, otherwise cloned from GitHub
into a temporary folder. As the sources file says: a photo whose longer side is over 1600 px is downscaled to
1600 px and a PNG/WebP is converted, both saved as JPEG q90; the rest are byte-identical copies.
"""
import io, re, subprocess, tempfile
from pathlib import Path
from PIL import Image
from fastcore.script import call_parse
from carclf.synth import carclf_home

def source_rows(md:Path):
    "(set folder, file, type, repository, path, commit) for each row of the tables in `md`"
    folder = 'real'
    for line in md.read_text().splitlines():
        if line.startswith('## Second set'): folder = 'real2'
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 7 and cells[0].endswith('.jpg'): yield folder, cells[0], cells[1], cells[2], cells[3].strip('`'), cells[4]

def repo_dir(repo:str, mirrors:Path, tmp:Path) -> Path:
    "A git folder holding `repo`: the local mirror if there is one, else a fresh clone"
    local = mirrors/repo.replace('/', '+')/'repo'
    if local.exists(): return local
    dest = tmp/repo.replace('/', '+')
    if not dest.exists(): subprocess.run(['git', 'clone', '-q', f'https://github.com/{repo}', str(dest)], check=True)
    return dest

def photo_bytes(raw:bytes) -> bytes:
    "`raw` unchanged if it is a JPEG at most 1600 px on its longer side, else re-encoded as such"
    im = Image.open(io.BytesIO(raw))
    if im.format == 'JPEG' and max(im.size) <= 1600: return raw
    im = im.convert('RGB')
    im.thumbnail((1600, 1600), Image.LANCZOS)
    out = io.BytesIO(); im.save(out, 'JPEG', quality=90)
    return out.getvalue()

@call_parse
def main(mirrors:str='/work/.mirror', # folder of local repository mirrors named `owner+name/repo`
         sources:str=str(Path(__file__).parent/'real_sources.md')): # the tables to rebuild from
    "Write every photo listed in `sources` under $CARCLF_HOME"
    with tempfile.TemporaryDirectory() as tmp:
        for folder, name, typ, repo, path, commit in source_rows(Path(sources)):
            dest = carclf_home()/folder/typ/name
            if dest.exists(): continue
            git = repo_dir(repo, Path(mirrors), Path(tmp))
            raw = subprocess.run(['git', '-C', str(git), 'show', f'{commit}:{path}'], capture_output=True, check=True).stdout
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(photo_bytes(raw))
    for folder in ('real', 'real2'): print(folder, sum(1 for _ in (carclf_home()/folder).glob('*/*.jpg')), 'photos')
