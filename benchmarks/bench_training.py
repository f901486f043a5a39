#!/usr/bin/python3
"""torchvision side of bench_training: one Mask R-CNN training step timed in Python.

Usage: bench_training.py OUT_DIR PRESET THREADS STEPS [DEVICE]
PRESET: "tiny" (ResNet-18, 64-channel FPN, narrow heads, 256 px - Counterscope's tiny preset) or "r50"
(maskrcnn_resnet50_fpn without pretrained weights, images resized to 512). Both with trainable BatchNorm and all
layers trainable, 49 classes, a batch of seeded random images with random boxes and masks, SGD (lr 0.01,
momentum 0.9, weight decay 1e-4). DEVICE is cpu (default) or cuda[:N]; on CUDA each step ends with a synchronise.
Writes OUT_DIR/PRESET_weights.pth and OUT_DIR/PRESET_batch.pth (images, boxes, labels, masks) so the C++ side
trains the very same network on the very same batch, and prints one JSON line with the step times.
"""
import json
import os
import statistics
import sys
import time

import torch
from torchvision.models import resnet18
from torchvision.models.detection import MaskRCNN, maskrcnn_resnet50_fpn
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor

NUM_CLASSES = 49


def tiny_model():
    body = resnet18(weights=None, norm_layer=torch.nn.BatchNorm2d)
    layers = {"layer1": "0", "layer2": "1", "layer3": "2", "layer4": "3"}  # every layer trainable
    backbone = BackboneWithFPN(body, layers, [64, 128, 256, 512], out_channels=64)
    anchors = AnchorGenerator(((16,), (32,), (64,), (128,), (256,)), ((0.5, 1.0, 2.0),) * 5)
    return MaskRCNN(backbone, num_classes=None, min_size=256, max_size=256,
                    rpn_anchor_generator=anchors,
                    rpn_pre_nms_top_n_train=1000, rpn_pre_nms_top_n_test=500,
                    rpn_post_nms_top_n_train=500, rpn_post_nms_top_n_test=200,
                    rpn_batch_size_per_image=128, box_batch_size_per_image=128,
                    box_head=TwoMLPHead(64 * 7 * 7, 256), box_predictor=FastRCNNPredictor(256, NUM_CLASSES),
                    mask_head=MaskRCNNHeads(64, [64, 64], 1),
                    mask_predictor=MaskRCNNPredictor(64, 64, NUM_CLASSES))


def r50_model():
    return maskrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=NUM_CLASSES,
                                 trainable_backbone_layers=5, min_size=512, max_size=512)


def random_batch(count, size, generator):
    images, targets = [], []
    for _ in range(count):
        images.append(torch.rand(3, size, size, generator=generator))
        n = 6
        xy = torch.rand(n, 2, generator=generator) * size * 0.6
        wh = 16 + torch.rand(n, 2, generator=generator) * size * 0.3
        boxes = torch.cat([xy, (xy + wh).clamp(max=size - 1)], dim=1)
        masks = torch.zeros(n, size, size, dtype=torch.uint8)
        for i, (x1, y1, x2, y2) in enumerate(boxes.round().int().tolist()):
            masks[i, y1:y2, x1:x2] = 1
        labels = torch.randint(1, NUM_CLASSES, (n,), generator=generator)
        targets.append({"boxes": boxes, "labels": labels, "masks": masks})
    return images, targets


def main():
    out_dir, preset = sys.argv[1], sys.argv[2]
    threads, steps = int(sys.argv[3]), int(sys.argv[4])
    device = torch.device(sys.argv[5] if len(sys.argv) > 5 else "cpu")
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = tiny_model() if preset == "tiny" else r50_model()
    batch, size = (4, 256) if preset == "tiny" else (2, 512)
    images, targets = random_batch(batch, size, torch.Generator().manual_seed(1))
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, f"{preset}_weights.pth"))
    stored = {}
    for i, (image, target) in enumerate(zip(images, targets)):
        stored[f"image{i}"] = image
        for key, value in target.items():
            stored[f"{key}{i}"] = value
    torch.save(stored, os.path.join(out_dir, f"{preset}_batch.pth"))

    model.to(device).train()
    images = [image.to(device) for image in images]
    targets = [{key: value.to(device) for key, value in target.items()} for target in targets]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-4)
    times = []
    for step in range(steps + 1):  # the first step warms up and is not timed
        start = time.perf_counter()
        losses = model(images, targets)
        total = sum(losses.values())
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if step > 0:
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(json.dumps({"median_s": median, "times_s": times, "images_per_second": batch / median,
                      "batch": batch, "image_size": size}))


if __name__ == "__main__":
    main()
