# %% slideshow={"slide_type": "skip"}
#| default_exp segment

# %% slideshow={"slide_type": "skip"}
#| export
import pandas as pd
import timm
from fastai.vision.all import *

# %% slideshow={"slide_type": "skip"}
#| hide
from fastcore.test import *
import shutil, tempfile
from carclf.synth import synth_cars, CODES
from carclf.data import get_test_images
from matplotlib_inline.backend_inline import set_matplotlib_formats
set_matplotlib_formats('jpeg') # pictures compress far better as JPEG than PNG: a small notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# # Segmentation: which pixels are body, window, wheel?
#
# > Same process, different blocks: a mask for every picture, a U-Net to predict it, IoU to judge it

# %% [markdown] slideshow={"slide_type": "-"}
# Lesson 1's classifier says *what* is in a picture: one label per picture. Segmentation says *where*: one label per pixel. Here every pixel of a car picture is background, body, window or wheel. That sounds like a different problem, but the process is the one you know: a `DataBlock` says what goes in and what comes out, a learner is made from a pretrained network, `fit_one_cycle` trains it, `show_results` shows it. Only the blocks change (a `MaskBlock` instead of a `CategoryBlock`) and the network gets a decoder that paints the answer back at full size.
#
# carclf's generated car pictures come with their masks, so we need no download and know the right answer for every pixel.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Pictures and their masks

# %% [markdown] slideshow={"slide_type": "-"}
# `synth_cars` writes each picture's mask as a PNG beside the pictures, under `masks/`: the same split, class and name, with a pixel value that indexes `codes.txt`.

# %% slideshow={"slide_type": "-"}
root = synth_cars(n=100, size=64, n_test=20)
(root/'codes.txt').read_text().split(), sorted(o.name for o in root.iterdir())


# %% [markdown] slideshow={"slide_type": "-"}
# `mask_of` finds a picture's mask from its path, for pictures in a `train/` or `test/` folder:

# %% slideshow={"slide_type": "-"}
#| export
def mask_of(fn:Path, # a picture at `root/<split>/<class>/<name>.jpg`
           ) -> Path:
    "The mask of picture `fn`: `root/masks/<split>/<class>/<name>.png`"
    return fn.parents[2]/'masks'/fn.parents[1].name/fn.parent.name/f'{fn.stem}.png'


# %% slideshow={"slide_type": "-"}
fn = get_image_files(root/'train')[0]
fn.relative_to(root), mask_of(fn).relative_to(root)

# %% slideshow={"slide_type": "skip"}
test_eq(mask_of(Path('/d/train/van/0003.jpg')), Path('/d/masks/train/van/0003.png'))
test_eq(mask_of(Path('/d/test/suv/0001.jpg')), Path('/d/masks/test/suv/0001.png'))
assert mask_of(fn).exists()

# %% [markdown] slideshow={"slide_type": "fragment"}
# fastai opens a mask as a `PILMask`, and shows it over its picture: one colour per code.

# %% slideshow={"slide_type": "-"}
img, msk = PILImage.create(fn), PILMask.create(mask_of(fn))
_, axs = plt.subplots(1, 2, figsize=(4,2), dpi=72)
img.show(ctx=axs[0], title='picture'); img.show(ctx=axs[1]); msk.show(ctx=axs[1], title='mask', vmin=0, vmax=3);

# %% slideshow={"slide_type": "skip"}
test_eq(img.size, msk.size)
test_eq(set(np.unique(np.asarray(msk))) <= set(range(len(CODES))), True)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## The `DataBlock`: only the blocks change

# %% [markdown] slideshow={"slide_type": "-"}
# Compare with the lesson's `car_block` (in `carclf.data`): the pictures are found the same way (`get_image_files`), split the same way (`RandomSplitter`) and resized the same way. What changes is the target: `MaskBlock(codes)` instead of `CategoryBlock`, and `get_y` returns the mask file instead of the folder name. fastai then takes care of the rest: a mask is resized with the nearest pixel (never blending "wheel" and "body" into something in between), and flipped or rotated together with its picture if you add augmentation. We add none: the generated pictures vary enough for a short training.

# %% slideshow={"slide_type": "-"}
#| export
def seg_dls(root:Path,          # a data set from `synth_cars`, or yours: `train/<class>/*.jpg`, `masks/train/<class>/*.png`, `codes.txt`
            size:int=64,        # pictures and masks are resized to `size`×`size`
            bs:int=4,           # batch size: small batches, more steps per epoch
            valid_pct:float=0.2, # share of the training pictures kept for validation
            seed:int=42,        # the same seed keeps the same validation pictures
           ) -> DataLoaders:
    "`DataLoaders` of the pictures in `root/train` and their masks, with the codes in `root/codes.txt`"
    root = Path(root)
    if not (root/'codes.txt').exists(): raise FileNotFoundError(f"{root/'codes.txt'} not found: write the class of each mask value there, one per line (see `synth_cars`)")
    files = get_image_files(root/'train')
    if gone := [f for f in files if not mask_of(f).exists()]:
        raise FileNotFoundError(f"{len(gone)} pictures have no mask, e.g. {mask_of(gone[0])}: add the masks, or move those pictures out of {root/'train'}")
    dblock = DataBlock(blocks=(ImageBlock, MaskBlock((root/'codes.txt').read_text().split())), get_y=mask_of,
                       splitter=RandomSplitter(valid_pct, seed), item_tfms=Resize(size))
    return dblock.dataloaders(files, bs=bs)


# %% slideshow={"slide_type": "-"}
dls = seg_dls(root)
dls.show_batch(max_n=4, figsize=(6,2), nrows=1)

# %% [markdown] slideshow={"slide_type": "fragment"}
# A batch is a stack of pictures (`bs × 3 × size × size`) and a stack of masks of codes (`bs × size × size`): the target has one number per pixel instead of one per picture.

# %% slideshow={"slide_type": "-"}
x, y = dls.one_batch()
x.shape, y.shape, type(y).__name__, dls.after_item.vocab

# %% slideshow={"slide_type": "skip"}
test_eq((x.shape, y.shape), ((4,3,64,64), (4,64,64)))
test_eq(type(y), TensorMask)
test_eq(list(dls.after_item.vocab), CODES)
test_eq((len(dls.train_ds), len(dls.valid_ds)), (480, 120))

# %% [markdown] slideshow={"slide_type": "fragment"}
# A data set without `codes.txt`, or with a picture whose mask is missing, fails before any training, saying what to fix:

# %% slideshow={"slide_type": "-"}
tmp = Path(tempfile.mkdtemp())
bad = synth_cars(n=2, size=32, n_test=0, dest=tmp/'bad')
mask_of(get_image_files(bad/'train')[0]).unlink()
try: seg_dls(bad)
except FileNotFoundError as e: print(e)

# %% slideshow={"slide_type": "skip"}
test_fail(lambda: seg_dls(bad), contains='1 pictures have no mask')
(bad/'codes.txt').unlink()
test_fail(lambda: seg_dls(bad), contains='codes.txt not found')
shutil.rmtree(tmp)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## A U-Net learner

# %% [markdown] slideshow={"slide_type": "-"}
# A classifier's network shrinks the picture step by step into a few numbers. A U-Net keeps that *encoder* and adds a *decoder* that grows the result back to the picture's size, one step per encoder step; at each step it also gets the encoder's features at that size (the "skip connections"), so the fine detail lost while shrinking comes back. fastai's `DynamicUnet` builds the decoder by itself: it runs the encoder once, notes where the size halves, and adds a matching decoder step there.
#
# The encoder is pretrained, as in lesson 1: EfficientNet-Lite0 with ImageNet weights, the one pretrained network carclf has offline (see `carclf.learner.lite0_weights`). Two details:
#
# - timm keeps the network's stages inside one `blocks` module; `DynamicUnet` only looks at the encoder's top-level layers, so we list the stages one by one, or it would see just two sizes and make a U-Net with two skips.
# - We keep the first five stages, down to 1/16 of the picture, and drop the last two (1/32). On 64-pixel pictures 1/32 is 2×2 pixels, too coarse to help draw a wheel, and those stages hold most of the weights: the U-Net has 1.5 million parameters instead of 9.3, and trains about twice as fast.

# %% slideshow={"slide_type": "-"}
#| export
def lite0_encoder(m:nn.Module, # timm's `tf_efficientnet_lite0`
                 ) -> nn.Sequential:
    "The stem and first five stages of `m` (down to 1/16 of the picture), one layer per stage for `DynamicUnet`"
    return nn.Sequential(m.conv_stem, m.bn1, *m.blocks[:5])

def _lite0(pretrained:bool=True):
    "timm's EfficientNet-Lite0, with carclf's offline ImageNet weights if `pretrained`"
    from carclf.learner import lite0_weights # converts the weights on first use
    return timm.create_model('tf_efficientnet_lite0', pretrained=pretrained,
                             pretrained_cfg_overlay=dict(file=str(lite0_weights())) if pretrained else None)


# %% slideshow={"slide_type": "-"}
enc = lite0_encoder(_lite0())
[tuple(o[1:]) for o in model_sizes(enc, (64,64))] # (channels, height, width) after each layer

# %% slideshow={"slide_type": "skip"}
test_eq([o[-1] for o in model_sizes(enc, (64,64))], [32, 32, 32, 16, 8, 4, 4])

# %% [markdown] slideshow={"slide_type": "-"}
# `seg_learn` hands both to `unet_learner`. The network was trained on pictures scaled to [-1, 1] (timm's setting for it), so that is how we normalise ours. The metrics are the mean over the four codes of two overlap scores, explained below.

# %% slideshow={"slide_type": "-"}
#| export
def seg_learn(dls:DataLoaders,      # from `seg_dls`
              pretrained:bool=True, # start from ImageNet weights (else random ones)
             ) -> Learner:
    "A U-Net on EfficientNet-Lite0 predicting a code for every pixel, with mean IoU and Dice as metrics"
    if not dls.after_batch.fs.filter(risinstance(Normalize)): dls.add_tfms([Normalize.from_stats([.5]*3, [.5]*3)], 'after_batch')
    return unet_learner(dls, _lite0, pretrained=pretrained, normalize=False, cut=lite0_encoder,
                        metrics=[JaccardCoeffMulti(), DiceMulti()])


# %% [markdown] slideshow={"slide_type": "-"}
# Lesson 1 calls `fine_tune`, which first trains only the new layers for an epoch, with the pretrained ones frozen. Here the new layers, the decoder, are most of the work, so that epoch costs nearly a full one; training everything from the start reaches the same quality in two epochs instead of three (`bench/segment.py` measures both). The small batches (`bs=4`) matter for the same reason: with 480 training pictures, more, smaller steps learn faster than fewer, smoother ones.

# %% slideshow={"slide_type": "-"}
set_seed(42)
learn = seg_learn(dls)
learn.unfreeze()
learn.fit_one_cycle(2, 3e-3)

# %% [markdown] slideshow={"slide_type": "fragment"}
# `show_results` shows validation pictures with the true mask (left) and the predicted one (right):

# %% slideshow={"slide_type": "-"}
learn.show_results(max_n=3, figsize=(4,6))

# %% slideshow={"slide_type": "skip"}
test_eq(learn.model(x[:2].to(default_device())).shape, (2, 4, 64, 64))


# %% [markdown] slideshow={"slide_type": "slide"}
# ## How good? IoU and Dice per class

# %% [markdown] slideshow={"slide_type": "-"}
# Pixel accuracy would flatter us: about 90% of the pixels are background, so painting everything background is 90% accurate and useless. Instead, for each code, compare the set of pixels predicted as that code with the set that truly is:
#
# - **IoU** (intersection over union, or Jaccard): the pixels both agree on, divided by the pixels either one claims. 1 is perfect, 0 means no overlap.
# - **Dice**: twice the intersection, divided by the sum of both sizes. It ranks models like IoU but reads higher (Dice = 2·IoU / (1 + IoU)).
#
# Counting over all the pixels of a set of pictures, not picture by picture, keeps a picture where a wheel is hidden from counting as a 0.

# %% slideshow={"slide_type": "-"}
#| export
def iou_dice(pred:Tensor, # predicted codes, any shape
             targ:Tensor, # true codes, same shape
             codes:list,  # the name of each code
            ) -> pd.DataFrame:
    "IoU and Dice of each code, counted over all pixels, and their mean over the codes"
    p, t = pred.flatten()[:,None] == tensor(range(len(codes))), targ.flatten()[:,None] == tensor(range(len(codes)))
    inter, sizes = (p & t).sum(0).float(), (p.sum(0) + t.sum(0)).float()
    df = pd.DataFrame(dict(iou=(inter/(sizes-inter)).numpy(), dice=(2*inter/sizes).numpy()), index=list(codes))
    return pd.concat([df, df.mean().to_frame('mean').T]).round(3)


# %% [markdown] slideshow={"slide_type": "fragment"}
# A 2×3 example you can check by hand: code 1 is predicted on 2 pixels, truly on 3, and both agree on 2, so IoU = 2/3, Dice = 4/5.

# %% slideshow={"slide_type": "-"}
iou_dice(tensor([[0,1,1],[0,0,0]]), tensor([[0,1,1],[1,0,0]]), ['background','car'])

# %% slideshow={"slide_type": "skip"}
r = iou_dice(tensor([[0,1,1],[0,0,0]]), tensor([[0,1,1],[1,0,0]]), ['background','car'])
test_close(r.loc['car'].values, [2/3, 4/5], eps=1e-3)
test_close(r.loc['background'].values, [3/4, 6/7], eps=1e-3)
test_close(r.loc['mean','iou'], (2/3+3/4)/2, eps=1e-3)


# %% [markdown] slideshow={"slide_type": "-"}
# The honest test is on pictures the learner never saw, not even for validation: the held-out `test/` pictures that `synth_cars` draws separately.

# %% slideshow={"slide_type": "-"}
#| export
def seg_scores(learn:Learner, # trained by `seg_learn`
               files:list,    # pictures with masks, e.g. `get_test_images(root)`
              ) -> pd.DataFrame:
    "`iou_dice` of `learn`'s predictions for `files` against their masks"
    preds, targs = learn.get_preds(dl=learn.dls.test_dl(files, with_labels=True))
    return iou_dice(preds.argmax(1), targs, learn.dls.after_item.vocab)


# %% slideshow={"slide_type": "-"}
test_files = get_test_images(root)
scores = seg_scores(learn, test_files)
scores

# %% [markdown] slideshow={"slide_type": "fragment"}
# The baseline that paints every pixel background scores a mean IoU of about 0.23 (background's share of the pixels, divided by four codes): the learner is far above it, and the small parts, windows and wheels, are found too.

# %% slideshow={"slide_type": "-"}
targs = torch.stack([tensor(np.asarray(PILMask.create(mask_of(f)))) for f in test_files])
base = iou_dice(torch.zeros_like(targs), targs, CODES)
base.loc['mean', 'iou'], scores.loc['mean', 'iou']

# %% slideshow={"slide_type": "skip"}
test_eq(len(test_files), 120)
assert scores.loc['mean','iou'] > base.loc['mean','iou'] + 0.4
assert scores.loc['mean','iou'] >= 0.7
assert (scores.iou > 0.5).all()
