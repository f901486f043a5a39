"""Writes real torch.save / safetensors files for test_torch_checkpoint, with references to compare against.

Usage: make_checkpoints.py OUT_DIR. Needs torch and torchvision (Debian's /usr/bin/python3 here).
References are written as .safetensors by the small writer below (the safetensors package is not installed),
plus reference.json with per-tensor shape, dtype and float64 sum as an independent check.
"""
import json
import os
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict

import torch
import torchvision

SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(state, path, metadata=None):
    header, blobs, offset = OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in state.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def describe(state):
    return [{"name": k, "shape": list(v.shape), "dtype": str(v.dtype).replace("torch.", ""),
             "sum": float(v.double().sum()), "stride": list(v.stride())} for k, v in state.items()]


def save_both(obj, out, stem):
    torch.save(obj, os.path.join(out, stem + "_zip.pth"))
    torch.save(obj, os.path.join(out, stem + "_legacy.pth"), _use_new_zipfile_serialization=False)


class Evil:
    """Unpickling this in Python would run a shell command."""
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("echo pwned > " + self.marker,))


class _StorageId:
    """Stands for a storage in the pickle; written as its persistent id."""
    def __init__(self, pid):
        self.pid = pid


class _OldTensor:
    """A tensor as torch < 0.4 pickled it: torch._utils._rebuild_tensor(storage, offset, size, stride)."""
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce__(self):
        return (torch._utils._rebuild_tensor, self.args)


class _OldPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _StorageId) else None


def write_old_legacy(path):
    """A legacy file in the style of torch < 1.0: _rebuild_tensor (v1) and a storage view (view_metadata)."""
    root = torch.arange(10, dtype=torch.float32)
    whole = _StorageId(("storage", torch.FloatStorage, "7", "cpu", 10, None))
    view = _StorageId(("storage", torch.FloatStorage, "7", "cpu", 10, ("8", 4, 6)))  # elements 4..9
    state = OrderedDict([("whole", _OldTensor(whole, 0, (10,), (1,))),
                         ("view_part", _OldTensor(view, 1, (2, 2), (1, 2)))])
    with open(path, "wb") as f:
        pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({"protocol_version": 1001, "little_endian": True,
                     "type_sizes": {"short": 2, "int": 4, "long": 8}}, f, protocol=2)
        _OldPickler(f, protocol=2).dump(state)
        pickle.dump(["7"], f, protocol=2)
        f.write(struct.pack("<q", 10))
        f.write(root.numpy().tobytes())
    # The fixture itself must be what Python's torch.load reads: view_part = root[5 + i + 2j].
    loaded = torch.load(path)
    assert torch.equal(loaded["view_part"], torch.tensor([[5.0, 7.0], [6.0, 8.0]])), loaded["view_part"]
    assert torch.equal(loaded["whole"], root)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    reference = {}

    # A real model's state dict: OrderedDict with _metadata, BatchNorm buffers, num_batches_tracked (int64).
    model = torchvision.models.resnet18(weights=None)
    model.train()
    with torch.no_grad():
        model(torch.randn(2, 3, 32, 32))  # non-trivial running statistics
    sd = model.state_dict()
    save_both(sd, out, "resnet18")
    write_safetensors(sd, os.path.join(out, "resnet18_reference.safetensors"), {"source": "torchvision resnet18"})
    reference["resnet18"] = describe(sd)

    # Every dtype the formats share.
    base = torch.randn(3, 4)
    dtypes = OrderedDict([
        ("f32", base), ("f64", base.double()), ("f16", base.half()), ("bf16", base.bfloat16()),
        ("i64", torch.arange(-5, 7, dtype=torch.int64).reshape(3, 4) * 1000000007),
        ("i32", torch.arange(-6, 6, dtype=torch.int32)), ("i16", torch.arange(-6, 6, dtype=torch.int16)),
        ("i8", torch.arange(-6, 6, dtype=torch.int8)), ("u8", torch.arange(250, 256, dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])), ("scalar", torch.tensor(2.5)),
        ("empty", torch.zeros(0, 3)),
    ])
    save_both(dtypes, out, "dtypes")
    write_safetensors(dtypes, os.path.join(out, "dtypes_reference.safetensors"))
    reference["dtypes"] = describe(dtypes)

    # Views of one storage: offsets, strides, a transpose; saved with their shared storage.
    grid = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = OrderedDict([("grid", grid), ("transposed", grid.t()), ("block", grid[1:3, 2:5]),
                         ("row", grid[2]), ("column", grid[:, 3]), ("strided", grid[::2, ::3])])
    save_both(views, out, "views")
    write_safetensors(OrderedDict((k, v.contiguous()) for k, v in views.items()),
                      os.path.join(out, "views_reference.safetensors"))
    reference["views"] = describe(views)

    write_old_legacy(os.path.join(out, "old_legacy.pth"))

    # Nested checkpoints as detectron2 and mmdetection write them.
    small = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4)).state_dict()
    torch.save({"model": small, "iteration": 17, "__author__": "counterscope test", "scores": [0.5, 1.5],
                "bytes": b"\x00\xff"}, os.path.join(out, "nested_detectron2.pth"))
    torch.save({"meta": {"epoch": 3, "CLASSES": ("a", "b")}, "state_dict": small,
                "optimizer": {"state": {0: {"momentum_buffer": torch.ones(2)}}, "param_groups": [{"lr": 0.1}]}},
               os.path.join(out, "nested_mmdet.pth"))
    torch.save({"model": small, "ema": OrderedDict((k, v + 1) for k, v in small.items())},
               os.path.join(out, "nested_two.pth"))
    write_safetensors(small, os.path.join(out, "nested_reference.safetensors"))

    # Files that must be refused.
    marker = os.path.join(out, "PWNED")
    torch.save({"weight": torch.ones(2), "evil": Evil(marker)}, os.path.join(out, "malicious_zip.pth"))
    torch.save({"weight": torch.ones(2), "evil": Evil(marker)}, os.path.join(out, "malicious_legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.save({"not tensors": [1, 2, 3]}, os.path.join(out, "no_state_dict.pth"))
    with open(os.path.join(out, "photo.pth"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200))
    with zipfile.ZipFile(os.path.join(out, "zip_without_pickle.pth"), "w") as z:
        z.writestr("archive/notes.txt", "no data.pkl here")
        z.writestr("archive/version", "3\n")
    with zipfile.ZipFile(os.path.join(out, "plain.zip"), "w") as z:
        z.writestr("notes.txt", "an ordinary zip file")
    for stem in ("resnet18_zip", "resnet18_legacy"):
        with open(os.path.join(out, stem + ".pth"), "rb") as f:
            data = f.read()
        with open(os.path.join(out, stem + "_truncated.pth"), "wb") as f:
            f.write(data[: len(data) // 2])
        with open(os.path.join(out, stem + "_short_pickle.pth"), "wb") as f:
            f.write(data[:300])
    # safetensors whose offsets point past the data.
    header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 160]}}).encode()
    with open(os.path.join(out, "bad_offsets.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + bytes(16))

    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference, f)


if __name__ == "__main__":
    main(sys.argv[1])
