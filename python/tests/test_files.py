"""File jobs: Ctrl-C (a Python signal) interrupts a long run_index, removing its partial output."""

import _thread
import os
import signal
import subprocess
import threading

import numpy as np
import pytest

import climidx


@pytest.fixture(scope="module")
def big_tif(tmp_path_factory):
    d = tmp_path_factory.mktemp("big")
    raw = d / "big.bin"
    h = w = 8000
    np.random.default_rng(3).integers(1, 10000, (h, w), dtype=np.uint16).tofile(raw)
    (d / "big.hdr").write_text(
        f"ENVI\nsamples = {w}\nlines = {h}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\n"
        "data type = 12\ninterleave = bsq\nbyte order = 0\n")
    tif = d / "big.tif"
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", "-co", "TILED=YES", str(raw), str(tif)], check=True)
    return tif


def test_ctrl_c_interrupts_a_file_job(big_tif, tmp_path):
    out = tmp_path / "out.tif"
    # A process started in the background of a non-interactive shell inherits SIGINT ignored,
    # and then interrupt_main() does nothing: install Python's handler as a notebook has it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            climidx.run_index(["ndvi", "evi", "savi"], {"red": big_tif, "nir": big_tif, "blue": big_tif}, out,
                              scale=1e-4, device="cpu")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith("out")], os.listdir(tmp_path)
