"""Writes torchvision 0.14 reference results for Counterscope's detection-op tests.

Usage: make_ops_reference.py OUT_DIR SECTION...   (sections: nms roi_align detection)
Each section writes OUT_DIR/<section>.pt, a plain dict {name: tensor} that LibTorch's
torch::pickle_load reads. Inputs are drawn from fixed seeds, so the files are deterministic.
"""
import os
import sys

import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.roi_heads import paste_masks_in_image
from torchvision.ops import boxes as box_ops


def random_boxes(generator, count, extent=100.0, max_size=50.0):
    xy = torch.rand(count, 2, generator=generator) * extent
    wh = torch.rand(count, 2, generator=generator) * max_size + 0.5
    return torch.cat([xy, xy + wh], dim=1)


def nms_section():
    g = torch.Generator().manual_seed(7)
    out = {}
    cases = []
    # Coarse scores create many ties, which must resolve like torchvision's stable sort.
    boxes = random_boxes(g, 400)
    cases.append(("ties", boxes, torch.randint(0, 20, (400,), generator=g).float() / 20, 0.5))
    boxes = random_boxes(g, 300)
    cases.append(("unique", boxes, torch.rand(300, generator=g), 0.3))
    # Degenerate boxes (zero width or height) have zero area: IoU 0 or NaN, never suppressing.
    boxes = random_boxes(g, 60)
    boxes[::3, 2] = boxes[::3, 0]
    boxes[1::5, 3] = boxes[1::5, 1]
    cases.append(("degenerate", boxes, torch.rand(60, generator=g), 0.4))
    cases.append(("identical", torch.tensor([[1.0, 1, 5, 5]] * 6), torch.tensor([0.5, 0.9, 0.5, 0.9, 0.1, 0.5]), 0.5))
    for name, boxes, scores, threshold in cases:
        out[f"{name}_boxes"] = boxes
        out[f"{name}_scores"] = scores
        out[f"{name}_threshold"] = torch.tensor(threshold, dtype=torch.float64)
        out[f"{name}_keep"] = torchvision.ops.nms(boxes, scores, threshold)
    # batched_nms: 500 boxes take torchvision's coordinate-offset path, 3000 its per-class path.
    for name, count, classes in (("batched_small", 500, 5), ("batched_large", 3000, 40)):
        boxes = random_boxes(g, count, extent=300.0, max_size=60.0)
        scores = torch.randint(0, 50, (count,), generator=g).float() / 50
        idxs = torch.randint(0, classes, (count,), generator=g)
        out[f"{name}_boxes"] = boxes
        out[f"{name}_scores"] = scores
        out[f"{name}_idxs"] = idxs
        out[f"{name}_keep"] = torchvision.ops.batched_nms(boxes, scores, idxs, 0.5)
    return out


def roi_align_section():
    g = torch.Generator().manual_seed(11)
    out = {}
    features = torch.randn(2, 3, 10, 12, generator=g)
    rois = torch.cat([torch.randint(0, 2, (24, 1), generator=g).float(), random_boxes(g, 24, extent=20.0, max_size=14.0)], 1)
    rois[0, 1:] = torch.tensor([-8.0, -6.0, -2.0, -1.0])    # outside the map (top-left)
    rois[1, 1:] = torch.tensor([18.0, 15.0, 30.0, 26.0])    # partly outside (bottom-right)
    rois[2, 1:] = torch.tensor([4.0, 4.0, 4.0, 9.0])        # zero width
    rois[3, 1:] = torch.tensor([5.0, 5.0, 5.0, 5.0])        # a point
    rois[4, 1:] = torch.tensor([0.0, 0.0, 23.5, 19.5])      # the whole map
    out["features"] = features
    out["rois"] = rois
    grad_output = torch.randn(24, 3, 5, 4, generator=g)
    out["grad_output"] = grad_output
    for aligned in (False, True):
        for sampling_ratio in (0, 2):
            x = features.clone().requires_grad_(True)
            y = torchvision.ops.roi_align(x, rois, output_size=(5, 4), spatial_scale=0.5,
                                          sampling_ratio=sampling_ratio, aligned=aligned)
            y.backward(grad_output)
            key = f"aligned{int(aligned)}_sr{sampling_ratio}"
            out[f"{key}_output"] = y.detach()
            out[f"{key}_grad"] = x.grad
    return out


def detection_section():
    g = torch.Generator().manual_seed(23)
    out = {}
    # Box ops.
    a = random_boxes(g, 10)
    b = random_boxes(g, 7)
    b[0] = torch.tensor([3.0, 3.0, 3.0, 8.0])
    out["iou_a"], out["iou_b"] = a, b
    out["iou"] = box_ops.box_iou(a, b)
    loose = random_boxes(g, 12, extent=120.0) - 20.0
    out["clip_boxes"] = loose
    out["clipped"] = box_ops.clip_boxes_to_image(loose, (60, 90))
    small = random_boxes(g, 30, max_size=3.0)
    out["small_boxes"] = small
    out["kept_small"] = box_ops.remove_small_boxes(small, 1.5)

    # Box coder, both weight sets; codes large enough to hit the exp() clamp.
    proposals = random_boxes(g, 50, extent=200.0, max_size=80.0)
    reference = random_boxes(g, 50, extent=200.0, max_size=80.0)
    codes = torch.randn(50, 12, generator=g) * 2
    codes[0, 2] = 10.0
    codes[1, 7] = 9.0
    out["coder_proposals"], out["coder_reference"], out["coder_codes"] = proposals, reference, codes
    for name, weights in (("rcnn", (10.0, 10.0, 5.0, 5.0)), ("rpn", (1.0, 1.0, 1.0, 1.0))):
        coder = det_utils.BoxCoder(weights)
        out[f"coder_{name}_encoded"] = coder.encode_single(reference, proposals)
        out[f"coder_{name}_decoded"] = coder.decode(codes, [proposals])

    # Matcher: exact duplicates of ground truth among the predictions make tied best matches.
    gt = random_boxes(g, 6, extent=150.0, max_size=60.0)
    predictions = torch.cat([random_boxes(g, 194, extent=150.0, max_size=60.0), gt[:3], gt[:3]])
    quality = box_ops.box_iou(gt, predictions)
    out["match_quality"] = quality
    out["matches_low_quality"] = det_utils.Matcher(0.7, 0.3, allow_low_quality_matches=True)(quality)
    out["matches_plain"] = det_utils.Matcher(0.5, 0.5, allow_low_quality_matches=False)(quality)

    # Sampler: labels drawn first, then the global seed the C++ test uses too.
    labels = [torch.randint(-1, 4, (1000,), generator=g), torch.randint(-1, 2, (300,), generator=g)]
    out["sampler_labels0"], out["sampler_labels1"] = labels
    torch.manual_seed(1234)
    positives, negatives = det_utils.BalancedPositiveNegativeSampler(256, 0.25)(labels)
    for i in range(2):
        out[f"sampler_pos{i}"] = positives[i]
        out[f"sampler_neg{i}"] = negatives[i]

    # Anchors: FPN setting on a padded 224x320 batch, and a one-level setting with uneven strides.
    fpn = AnchorGenerator(((32,), (64,), (128,), (256,), (512,)), ((0.5, 1.0, 2.0),) * 5)
    images = ImageList(torch.zeros(2, 3, 224, 320), [(200, 300), (224, 310)])
    maps = [torch.zeros(2, 4, 224 // s, 320 // s) for s in (4, 8, 16, 32, 64)]
    out["anchors_fpn"] = fpn(images, maps)[0]
    single = AnchorGenerator(((32, 64, 128),), ((0.5, 1.0, 2.0),))
    images = ImageList(torch.zeros(1, 3, 100, 130), [(100, 130)])
    out["anchors_single"] = single(images, [torch.zeros(1, 4, 13, 17)])[0]

    # Multi-scale RoIAlign over four levels (+ a "pool" level that must be ignored).
    pooler = torchvision.ops.MultiScaleRoIAlign(["0", "1", "2", "3"], 7, 2)
    sizes = [(200, 300), (180, 310)]
    levels = {str(i): torch.randn(2, 4, 224 // s, 320 // s, generator=g) for i, s in enumerate((4, 8, 16, 32))}
    levels["pool"] = torch.randn(2, 4, 4, 5, generator=g)
    side = torch.exp(torch.rand(40, 2, generator=g) * 5.5 + 1.0)  # 2.7 .. 665 pixels per side
    corner = torch.rand(40, 2, generator=g) * 150
    boxes = torch.cat([corner, corner + side], 1)
    boxes[0] = torch.tensor([0.0, 0.0, 600.0, 550.0])  # coarsest level
    boxes[26] = torch.tensor([3.0, 4.0, 9.0, 8.5])     # finest level
    boxes_per_image = [boxes[:25], boxes[25:]]
    pooled = pooler(levels, boxes_per_image, sizes)
    out["msra_boxes0"], out["msra_boxes1"] = boxes_per_image
    for i in range(4):
        out[f"msra_level{i}"] = levels[str(i)]
    out["msra_pool"] = levels["pool"]
    out["msra_scales"] = torch.tensor(pooler.scales, dtype=torch.float64)
    out["msra_assigned"] = pooler.map_levels(boxes_per_image)
    out["msra_output"] = pooled

    # Mask pasting: boxes inside, across each border, degenerate and tiny; image 60 x 80.
    masks = torch.sigmoid(torch.randn(10, 1, 28, 28, generator=g) * 3)
    paste_boxes = torch.tensor([
        [10.0, 12.0, 40.0, 35.0],
        [-10.0, 5.0, 20.0, 30.0],
        [60.0, 40.0, 95.0, 70.0],
        [30.5, -7.2, 50.3, 10.9],
        [5.0, 5.0, 5.0, 25.0],
        [20.0, 20.0, 20.4, 20.3],
        [0.0, 0.0, 79.0, 59.0],
        [33.3, 21.7, 34.9, 22.1],
        [2.6, 44.4, 71.8, 58.2],
        [-3.0, -3.0, 83.0, 63.0],
    ])
    out["paste_masks"], out["paste_boxes"] = masks, paste_boxes
    out["pasted"] = paste_masks_in_image(masks, paste_boxes, (60, 80), padding=1)
    return out


SECTIONS = {"nms": nms_section, "roi_align": roi_align_section, "detection": detection_section}


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for section in sys.argv[2:]:
        tensors = SECTIONS[section]()
        torch.save({k: v.contiguous() for k, v in tensors.items()}, os.path.join(out_dir, f"{section}.pt"))


if __name__ == "__main__":
    main()
