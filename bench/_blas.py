"""The BLAS threads of the PyTorch twins (`torch_bench.py`, `torch_ranking.py`).

`torch.set_num_threads()` sets torch's own pool but not the BLAS library's: Debian's torch calls
the system BLAS (OpenBLAS), whose threads spin on every core during each matrix product, so a
twin meant to run on one thread used two, and its CPU time doubled. `cap_blas_threads()` must run
before numpy or torch is imported (OpenBLAS reads its thread count when it loads).
"""
import ctypes
import os


def cap_blas_threads(threads):
    """Caps OpenBLAS (and any OpenMP pool) at `threads`; call before importing numpy or torch."""
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(threads)


def blas_threads():
    """The threads OpenBLAS will use, as it reports them, or None when it is not the BLAS here."""
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            return int(ctypes.CDLL(name).openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None
