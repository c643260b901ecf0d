"""What CPU a figure was measured on, and which int8 GEMM path CTranslate2 takes there.

The same code measures differently per CPU (see bench/README.md): CTranslate2 runs int8
matrix products with Intel MKL on GenuineIntel CPUs (``CT2_USE_MKL`` unset) and with oneDNN
everywhere else, and the kernels it reaches depend on AVX2 / AVX-512 / VNNI / AMX. Every
figure the benchmark prints names the CPU it came from.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

# Environment variables that change CTranslate2's (and its BLAS libraries') CPU code paths.
CPU_ENV = ("CT2_USE_MKL", "CT2_PACKED_GEMM", "CT2_FORCE_CPU_ISA", "CT2_USE_EXPERIMENTAL_PACKED_GEMM",
           "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "OMP_NUM_THREADS")
_ISA_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_tile",
              "amx_int8")


def _cpuinfo() -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return info
    for line in text.splitlines():
        if not line.strip():
            break  # the first processor is enough
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def _lscpu() -> dict[str, str]:
    if not shutil.which("lscpu"):
        return {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def describe_cpu() -> dict:
    """Model name, vendor, family/model, ISA flags, SMT, and CTranslate2's int8 GEMM path."""
    info, lscpu = _cpuinfo(), _lscpu()
    flags = set(info.get("flags", "").split())
    vendor = info.get("vendor_id") or lscpu.get("Vendor ID") or platform.machine()
    model = info.get("model name") or lscpu.get("Model name") or platform.processor()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    use_mkl = os.environ.get("CT2_USE_MKL")
    mkl = (vendor == "GenuineIntel") if use_mkl is None else use_mkl.lower() in ("1", "true", "on")
    isa = [f for f in _ISA_FLAGS if f in flags]
    description = {
        "model": model,
        "vendor": vendor,
        "family": info.get("cpu family"),
        "model_number": info.get("model"),
        "isa": isa,
        "threads_per_core": lscpu.get("Thread(s) per core"),
        "cores": cores,
        "hypervisor": lscpu.get("Hypervisor vendor"),
        "l2": lscpu.get("L2 cache"),
        "l3": lscpu.get("L3 cache"),
        "ct2_int8_gemm": "MKL" if mkl else "oneDNN",
        "env": {name: os.environ[name] for name in CPU_ENV if name in os.environ},
    }
    description["label"] = cpu_label(description)
    return description


def cpu_label(cpu: dict) -> str:
    """A short tag printed next to every figure, e.g. 'AMD EPYC (fam 25 model 1, avx2; 2 cores)'."""
    isa = "/".join(f for f in cpu.get("isa", []) if f in ("avx2", "avx512_vnni", "amx_int8"))
    smt = ", SMT" if cpu.get("threads_per_core") not in (None, "1") else ""
    return (f"{cpu.get('model')} (fam {cpu.get('family')} model {cpu.get('model_number')}, "
            f"{isa or 'no avx2'}, int8 GEMM {cpu.get('ct2_int8_gemm')}; "
            f"{cpu.get('cores')} cores{smt})")
