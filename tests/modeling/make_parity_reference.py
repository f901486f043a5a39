#!/usr/bin/python3
"""Reference outputs of torchvision 0.14's Mask R-CNN for the C++ parity tests.

Builds a seeded, randomly initialised Mask R-CNN (ResNet-50-FPN or ResNet-18-FPN), gives its BatchNorm layers
random statistics (so that they are not the identity), makes the classifier confident (scaled cls_score) so that
detection scores are not flat, and writes into OUT_DIR:
  <variant>_weights.pth     torch.save(model.state_dict()) -- the format of every real checkpoint
  <variant>_reference.pth   torch.save(dict of tensors): input image, FPN features, RPN proposals, detections
  <variant>_keys.json       [[name, shape], ...] of the state dict, in order
Usage: make_parity_reference.py OUT_DIR VARIANT(r50|r18) NUM_CLASSES HEIGHT WIDTH MIN_SIZE MAX_SIZE
"""
import json
import os
import sys

import torch
import torchvision
from torchvision.models.detection import MaskRCNN, maskrcnn_resnet50_fpn
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone


def build(variant, num_classes, min_size, max_size):
    if variant == "r50":
        return maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=num_classes,
                                     min_size=min_size, max_size=max_size)
    backbone = resnet_fpn_backbone(backbone_name="resnet18", weights=None, trainable_layers=5)
    return MaskRCNN(backbone, num_classes=num_classes, min_size=min_size, max_size=max_size)


def randomise_norm_statistics(model, generator):
    for module in model.modules():
        if isinstance(module, (torch.nn.BatchNorm2d, torchvision.ops.FrozenBatchNorm2d)):
            n = module.weight.shape[0]
            with torch.no_grad():
                module.weight.copy_(0.5 + torch.rand(n, generator=generator))
                module.bias.copy_(0.2 * torch.randn(n, generator=generator))
                module.running_mean.copy_(0.2 * torch.randn(n, generator=generator))
                module.running_var.copy_(0.5 + torch.rand(n, generator=generator))


def test_image(height, width, generator):
    # Smooth shapes on a gradient: structured enough for the RPN to prefer some anchors over others.
    ys = torch.linspace(0, 1, height)[:, None]
    xs = torch.linspace(0, 1, width)[None, :]
    image = torch.stack([0.3 + 0.4 * xs * ys, 0.5 + 0.3 * torch.sin(6 * xs) * torch.cos(4 * ys),
                         0.4 + 0.2 * (xs - ys)], 0).expand(3, height, width).clone()
    for _ in range(6):
        cy, cx = torch.rand(2, generator=generator).tolist()
        r = 0.05 + 0.15 * torch.rand(1, generator=generator).item()
        colour = torch.rand(3, generator=generator)
        inside = ((ys - cy) ** 2 + (xs - cx) ** 2) < r * r
        image[:, inside] = colour[:, None]
    return (image + 0.03 * torch.randn(3, height, width, generator=generator)).clamp(0, 1)


def main():
    out_dir, variant = sys.argv[1], sys.argv[2]
    num_classes, height, width, min_size, max_size = (int(v) for v in sys.argv[3:8])
    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    generator = torch.Generator().manual_seed(1)
    model = build(variant, num_classes, min_size, max_size)
    randomise_norm_statistics(model, generator)
    model.eval()
    image = test_image(height, width, generator)
    with torch.no_grad():
        # A random deep body yields features of a few hundred; rescale each FPN output to unit spread so the
        # heads see inputs of a trained model's magnitude.
        images, _ = model.transform([image])
        features = model.backbone(images.tensors)
        for level, block in enumerate(model.backbone.fpn.layer_blocks):
            spread = features[str(level)].std().item()
            for parameter in block.parameters():
                parameter.div_(spread)
        # Random heads give near-flat objectness and class scores; scaled predictors give clear winners,
        # so that rankings do not hinge on rounding noise.
        model.rpn.head.cls_logits.weight.mul_(40.0)
        model.rpn.head.bbox_pred.weight.mul_(4.0)
        model.roi_heads.box_predictor.cls_score.weight.mul_(8.0)

    reference = {"image": image}
    with torch.no_grad():
        images, _ = model.transform([image])
        reference["batch"] = images.tensors
        reference["image_size"] = torch.tensor(images.image_sizes[0])
        features = model.backbone(images.tensors)
        for name, value in features.items():
            reference["feature_" + name] = value
        proposals, _ = model.rpn(images, features)
        reference["proposals"] = proposals[0]
        detections = model([image])[0]
    for key in ("boxes", "labels", "scores", "masks"):
        reference[key] = detections[key]

    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, variant + "_weights.pth"))
    torch.save(reference, os.path.join(out_dir, variant + "_reference.pth"))
    keys = [[name, list(value.shape)] for name, value in model.state_dict().items()]
    with open(os.path.join(out_dir, variant + "_keys.json"), "w") as f:
        json.dump(keys, f)
    print(f"{variant}: {len(keys)} tensors, {detections['boxes'].shape[0]} detections, "
          f"{proposals[0].shape[0]} proposals, batch {tuple(images.tensors.shape)}")


if __name__ == "__main__":
    main()
