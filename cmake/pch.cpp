// Translation unit that carries the precompiled LibTorch header (see counterscope_pch).
