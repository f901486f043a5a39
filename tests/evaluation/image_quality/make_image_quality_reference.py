#!/usr/bin/python3
"""Reference values for the C++ image-quality tests, computed the way the reference tools compute them.

Writes into OUT_DIR:
  real/, generated/           two PNG images each (generated/ also holds a broken file, skipped)
  torchvision_weights.pth     torch.save(torchvision.models.inception_v3(weights=None, init_weights=True,
                              aux_logits=True, transform_input=True).state_dict()), seeded, BatchNorm statistics
                              calibrated on a random batch so that activations stay in a realistic range
  torchvision_reference.pth   {pool, logits} of generated/: resize to 299 (bilinear), ImageNet Normalize, model
  fid_weights.pth             pytorch-fid's FID Inception (1008 classes, FIDInceptionA/C/E_1/E_2 written here
                              after pytorch-fid's description), seeded, saved WITHOUT num_batches_tracked
  fid_reference.pth           {real_pool, generated_pool, generated_logits}: pytorch-fid's forward (resize,
                              2x-1, blocks, pool3)
  folders.json                pytorch-fid's FID between the folders and the IS (1 split) of generated/
  frechet.pth + frechet.json  seeded feature sets and pytorch-fid's calculate_frechet_distance (scipy sqrtm)
  inception_score.pth/.json   seeded softmax outputs and inception-score-pytorch's IS over 10 splits
Usage: make_image_quality_reference.py OUT_DIR metrics|networks
  metrics: frechet.* and inception_score.* only (a second); networks: the rest (the two Inception-v3 networks).
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy import linalg
from scipy.stats import entropy
from torchvision.models import inception as tv_inception

IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


# --- pytorch-fid's FID Inception, written from its description: only the pooling of the Mixed blocks differs.
class FIDInceptionA(tv_inception.InceptionA):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        pooled = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, self.branch_pool(pooled)], 1)


class FIDInceptionC(tv_inception.InceptionC):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        b = self.branch7x7dbl_1(x)
        b = self.branch7x7dbl_3(self.branch7x7dbl_2(b))
        b = self.branch7x7dbl_5(self.branch7x7dbl_4(b))
        pooled = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([branch1x1, branch7x7, b, self.branch_pool(pooled)], 1)


class FIDInceptionE(tv_inception.InceptionE):
    def __init__(self, in_channels, use_max_pool):
        super().__init__(in_channels)
        self.use_max_pool = use_max_pool

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.use_max_pool:  # FIDInceptionE_2 (Mixed_7c): a max pool, a bug of TensorFlow's graph kept for FID
            pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            pooled = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([branch1x1, b3, bd, self.branch_pool(pooled)], 1)


def fid_inception():
    model = tv_inception.Inception3(num_classes=1008, aux_logits=False, transform_input=False, init_weights=True)
    model.Mixed_5b = FIDInceptionA(192, pool_features=32)
    model.Mixed_5c = FIDInceptionA(256, pool_features=64)
    model.Mixed_5d = FIDInceptionA(288, pool_features=64)
    model.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    model.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    model.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    model.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    model.Mixed_7b = FIDInceptionE(1280, use_max_pool=False)
    model.Mixed_7c = FIDInceptionE(2048, use_max_pool=True)
    return model


def fid_forward(model, images, size=299):
    """pytorch-fid's InceptionV3 wrapper (resize_input, normalize_input, output block 3 = pool3)."""
    x = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    x = 2 * x - 1
    m = model
    x = m.maxpool1(m.Conv2d_2b_3x3(m.Conv2d_2a_3x3(m.Conv2d_1a_3x3(x))))
    x = m.maxpool2(m.Conv2d_4a_3x3(m.Conv2d_3b_1x1(x)))
    for block in (m.Mixed_5b, m.Mixed_5c, m.Mixed_5d, m.Mixed_6a, m.Mixed_6b, m.Mixed_6c, m.Mixed_6d, m.Mixed_6e,
                  m.Mixed_7a, m.Mixed_7b, m.Mixed_7c):
        x = block(x)
    pool = F.adaptive_avg_pool2d(x, (1, 1)).flatten(1)
    return pool, m.fc(pool)


def torchvision_forward(model, images, size=299):
    """Resize + Normalize + torchvision's forward (eval), with the pool captured by a hook on avgpool."""
    captured = {}
    handle = model.avgpool.register_forward_hook(lambda mod, inp, out: captured.update(pool=out.flatten(1)))
    x = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    logits = model((x - IMAGENET_MEAN) / IMAGENET_STD)
    handle.remove()
    return captured["pool"], logits


def calibrate(model, forward, generator):
    """Random BatchNorm affine parameters, then running statistics from one small random batch, so that
    activations stay in a realistic range through the whole depth (raw random weights blow up)."""
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.weight.shape[0]
            with torch.no_grad():
                module.weight.copy_(0.5 + torch.rand(n, generator=generator))
                module.bias.copy_(0.2 * torch.randn(n, generator=generator))
            module.reset_running_stats()
            module.momentum = None  # cumulative average: after one batch, that batch's statistics
    # Images like the test's, but at 160x160 rather than 299x299: the statistics need not be exact, only cheap.
    # The auxiliary head (too small an input for it, and never run in eval mode) is left out of this pass.
    aux, model.AuxLogits = model.AuxLogits, None
    model.train()
    with torch.no_grad():
        forward(model, smooth_images(3, 48, 56, generator), size=160)
    model.eval()
    model.AuxLogits = aux
    with torch.no_grad():  # unsaturated class probabilities, so that the Inception Score is not trivially 1
        model.fc.weight.mul_(0.02)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = 0.1


def smooth_images(count, height, width, generator):
    """Random smooth colour images in [0, 1] (low-resolution noise upsampled)."""
    coarse = torch.rand(count, 3, 6, 7, generator=generator)
    return F.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False).clamp(0, 1)


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid's calculate_frechet_distance."""
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def fid_of_features(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    return frechet_distance(np.mean(a, axis=0), np.cov(a, rowvar=False), np.mean(b, axis=0), np.cov(b, rowvar=False))


def fid_of_two_pairs(a, b):
    """FID of two sets of two 2048-d features, in closed form. With N = 2 each covariance has rank one,
    Σ = w wᵀ with w = (x1 − x2)/√2, so Σ1Σ2 = w1 (w1·w2) w2ᵀ has the single non-zero eigenvalue (w1·w2)² and
    Tr sqrt(Σ1Σ2) = |w1·w2|. scipy's sqrtm fails on such a product (pytorch-fid raises "Imaginary component"),
    so this exact value is the reference; the general formula is checked against scipy on frechet.pth."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    w1 = (a[0] - a[1]) / np.sqrt(2)
    w2 = (b[0] - b[1]) / np.sqrt(2)
    diff = a.mean(0) - b.mean(0)
    return float(diff.dot(diff) + w1.dot(w1) + w2.dot(w2) - 2 * abs(w1.dot(w2)))


def inception_score(preds, splits):
    """inception-score-pytorch's split loop."""
    n = preds.shape[0]
    split_scores = []
    for k in range(splits):
        part = preds[k * (n // splits):(k + 1) * (n // splits), :]
        py = np.mean(part, axis=0)
        split_scores.append(np.exp(np.mean([entropy(part[i, :], py) for i in range(part.shape[0])])))
    return float(np.mean(split_scores)), float(np.std(split_scores))


def save_png(path, image):
    array = (image.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    Image.fromarray(array).save(path)


def load_folder(folder):
    files = sorted(f for f in os.listdir(folder) if f.endswith(".png"))
    tensors = []
    for name in files:
        try:
            image = Image.open(os.path.join(folder, name)).convert("RGB")
        except Exception:  # the broken file: skipped, as the C++ job does
            continue
        tensors.append(torch.from_numpy(np.asarray(image).copy()).permute(2, 0, 1).float() / 255)
    return torch.stack(tensors)


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("metrics", "networks"):
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    if sys.argv[2] == "metrics":
        write_metric_references(out)
    else:
        write_network_references(out)


def write_network_references(out):
    started = time.time()
    generator = torch.Generator().manual_seed(7)
    torch.manual_seed(7)

    # Two small folders: the same images serve the parity checks and the end-to-end FID / IS.
    for name in ("real", "generated"):
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        for i, image in enumerate(smooth_images(2, 48, 56, generator)):
            save_png(os.path.join(folder, "%s_%02d.png" % (name, i)), image)
    with open(os.path.join(out, "generated", "broken.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n not really a png")
    real = load_folder(os.path.join(out, "real"))
    generated = load_folder(os.path.join(out, "generated"))

    tv = tv_inception.Inception3(num_classes=1000, aux_logits=True, transform_input=True, init_weights=True)
    calibrate(tv, torchvision_forward, generator)
    torch.save(tv.state_dict(), os.path.join(out, "torchvision_weights.pth"))
    with torch.no_grad():
        pool, logits = torchvision_forward(tv, generated)
    torch.save({"pool": pool, "logits": logits}, os.path.join(out, "torchvision_reference.pth"))
    is_mean, is_std = inception_score(F.softmax(logits, dim=1).numpy(), 1)

    fid = fid_inception()
    calibrate(fid, fid_forward, generator)
    state = {k: v for k, v in fid.state_dict().items() if not k.endswith("num_batches_tracked")}
    torch.save(state, os.path.join(out, "fid_weights.pth"))
    with torch.no_grad():
        real_pool, _ = fid_forward(fid, real)
        generated_pool, generated_logits = fid_forward(fid, generated)
    torch.save({"real_pool": real_pool, "generated_pool": generated_pool, "generated_logits": generated_logits},
               os.path.join(out, "fid_reference.pth"))
    with open(os.path.join(out, "folders.json"), "w") as f:
        json.dump({"fid": fid_of_two_pairs(real_pool.numpy(), generated_pool.numpy()),
                   "is_mean": is_mean, "is_std": is_std}, f)

    print("networks: %.1f s" % (time.time() - started), file=sys.stderr)


def write_metric_references(out):
    generator = torch.Generator().manual_seed(5)
    # Fréchet distance on seeded features: well-conditioned (N > D) and singular (N < D) covariances.
    rng = np.random.default_rng(11)
    mixing = rng.standard_normal((64, 64)) / 8
    features = {
        "a": rng.standard_normal((300, 64)) @ mixing,
        "b": rng.standard_normal((250, 64)) @ (mixing + 0.05 * rng.standard_normal((64, 64))) + 0.3,
        "c": rng.standard_normal((20, 64)) + 0.1,
        "d": 1.5 * rng.standard_normal((30, 64)),
    }
    torch.save({k: torch.from_numpy(v) for k, v in features.items()}, os.path.join(out, "frechet.pth"))
    with open(os.path.join(out, "frechet.json"), "w") as f:
        json.dump({"ab": fid_of_features(features["a"], features["b"]),
                   "cd": fid_of_features(features["c"], features["d"]),
                   "aa": fid_of_features(features["a"], features["a"])}, f)

    # Inception Score on seeded softmax outputs (103 images: 10 splits of 10, 3 left out).
    probabilities = F.softmax(3 * torch.randn(103, 1000, generator=generator), dim=1)
    torch.save({"probabilities": probabilities}, os.path.join(out, "inception_score.pth"))
    mean, std = inception_score(probabilities.numpy(), 10)
    with open(os.path.join(out, "inception_score.json"), "w") as f:
        json.dump({"mean": mean, "std": std}, f)


if __name__ == "__main__":
    main()
