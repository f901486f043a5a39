#!/usr/bin/python3
"""torchvision side of bench_inference: seeded maskrcnn_resnet50_fpn, one image, median inference time per batch.

Usage: bench_inference.py OUT_DIR THREADS RUNS HEIGHT WIDTH [DEVICE [BATCHES]]
DEVICE is cpu (default) or cuda[:N]; BATCHES a comma list such as 1,8 (default 1): each batch is that many copies
of the image in one call. Writes OUT_DIR/r50_weights.pth (torch.save(model.state_dict())), a safetensors copy when
the safetensors package is there, OUT_DIR/image.pth ({"image": tensor}) and prints one JSON line
{"torch": ..., "torchvision": ..., "results": [{"batch": B, "median_s": ..., "times_s": [...], "detections": N}]}.
"""
import json
import os
import statistics
import sys
import time

import torch
import torchvision
from torchvision.models.detection import maskrcnn_resnet50_fpn


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_batch(model, images, runs, device):
    times = []
    with torch.no_grad():
        model(images)  # warm-up
        synchronize(device)
        for _ in range(runs):
            start = time.perf_counter()
            detections = model(images)[0]
            synchronize(device)
            times.append(time.perf_counter() - start)
    return {"batch": len(images), "median_s": statistics.median(times), "times_s": times,
            "detections": int(detections["boxes"].shape[0])}


def main():
    out_dir = sys.argv[1]
    threads, runs, height, width = (int(v) for v in sys.argv[2:6])
    device = torch.device(sys.argv[6] if len(sys.argv) > 6 else "cpu")
    batches = [int(b) for b in (sys.argv[7] if len(sys.argv) > 7 else "1").split(",")]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
    generator = torch.Generator().manual_seed(1)
    image = torch.rand(3, height, width, generator=generator)
    os.makedirs(out_dir, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(out_dir, "r50_weights.pth"))
    try:
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in model.state_dict().items()},
                  os.path.join(out_dir, "r50_weights.safetensors"))
    except ImportError:
        pass
    torch.save({"image": image}, os.path.join(out_dir, "image.pth"))
    model.to(device)
    image = image.to(device)
    results = [time_batch(model, [image] * batch, runs, device) for batch in batches]
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "results": results}))


if __name__ == "__main__":
    main()
