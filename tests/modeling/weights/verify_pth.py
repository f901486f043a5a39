"""Checks that Python's torch.load reads a .pth written by Counterscope and that it equals a reference.

Usage: verify_pth.py WRITTEN.pth REFERENCE.pth. Exit status 0 when every tensor matches in name, order, dtype,
shape and value; 1 with a message otherwise.
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
            print("tensor differs in type, dtype or shape:", name)
            return 1
        if not torch.equal(got, expected):
            print("tensor values differ:", name)
            return 1
    print("ok", len(reference), "tensors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
