"""Checks that Python's torch.load reads a .pth written by Counterscope and that it equals a reference.

Usage: verify_pth.py WRITTEN.pth REFERENCE.pth [WRITTEN2.pth REFERENCE2.pth ...]. Exit status 0 when every
tensor of every pair matches in name, order, dtype, shape and value; 1 with a message otherwise.
"""
import sys

import torch


def main(written_path, reference_path):
    written = torch.load(written_path)
    reference = torch.load(reference_path)
    if list(written.keys()) != list(reference.keys()):
        print("key order differs:", list(written.keys())[:5], list(reference.keys())[:5])
        return 1
    for name, expected in reference.items():
        got = written[name]
        if not isinstance(got, torch.Tensor) or got.dtype != expected.dtype or got.shape != expected.shape:
            print(written_path, "tensor differs in type, dtype or shape:", name)
            return 1
        if not torch.equal(got, expected):
            print(written_path, "tensor values differ:", name)
            return 1
    print("ok", written_path, len(reference), "tensors")
    return 0


if __name__ == "__main__":
    paths = sys.argv[1:]
    if not paths or len(paths) % 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(max(main(paths[i], paths[i + 1]) for i in range(0, len(paths), 2)))
