import os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT/'artifacts'  # screenshots and other things a person may want to look at after a run

@pytest.fixture(scope='session')
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

@pytest.fixture(scope='session')
def carclf_home(tmp_path_factory):
    "A fresh `CARCLF_HOME`, so tests never depend on (or write to) the user's cache"
    return tmp_path_factory.mktemp('carclf_home')

def run(*args, check=True, env=None, **kwargs) -> subprocess.CompletedProcess:
    "Run a command, capturing text output; fail with its output if `check` and it exits non-zero"
    res = subprocess.run([str(a) for a in args], capture_output=True, text=True, env={**os.environ, **(env or {})}, **kwargs)
    if check and res.returncode: pytest.fail(f'{args} exited {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}')
    return res
