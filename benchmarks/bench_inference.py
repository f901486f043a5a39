#!/usr/bin/python3
"""torchvision side of bench_inference: seeded maskrcnn_resnet50_fpn, one image, median inference time.

Usage: bench_inference.py OUT_DIR THREADS RUNS HEIGHT WIDTH
Writes OUT_DIR/r50_weights.pth (torch.save(model.state_dict())), OUT_DIR/image.pth ({"image": tensor}) and
prints one JSON line {"median_s": ..., "times_s": [...], "detections": N}.
"""
import json
import os
import statistics
import sys
import time

import torch
from torchvision.models.detection import maskrcnn_resnet50_fpn


def main():
    out_dir = sys.argv[1]
    threads, runs, height, width = (int(v) for v in sys.argv[2:6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
    generator = torch.Generator().manual_seed(1)
    image = torch.rand(3, height, width, generator=generator)
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, "r50_weights.pth"))
    torch.save({"image": image}, os.path.join(out_dir, "image.pth"))
    times = []
    with torch.no_grad():
        model([image])  # warm-up
        for _ in range(runs):
            start = time.perf_counter()
            detections = model([image])[0]
            times.append(time.perf_counter() - start)
    print(json.dumps({"median_s": statistics.median(times), "times_s": times,
                      "detections": int(detections["boxes"].shape[0])}))


if __name__ == "__main__":
    main()
