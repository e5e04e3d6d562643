"""Builds the frost Python module with Debian's python3-setuptools, against a CMake build of frost.

    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2   # libfrost.a
    cd python && /usr/bin/python3 setup.py build_ext --inplace                 # frost/_frost.abi3.so
    PYTHONPATH=python /usr/bin/python3 -c "import frost; print(frost.__version__)"

(The CMake build makes the same module in build/python/ by itself, and `cmake --install build`
installs it: this file is for building the module alone.) FROST_BUILD_DIR names the CMake build
directory (default: ../build). The module uses the stable ABI of Python 3.11 (abi3): the same
binary loads in every later CPython. No PyPI: setuptools and the libraries are Debian's.
"""
import glob
import os
import subprocess
import sys

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("FROST_BUILD_DIR", os.path.join(ROOT, "build")))
STATIC = os.path.join(BUILD, "libfrost.a")
if not os.path.exists(STATIC) and not any(a in sys.argv for a in ("--help", "-h", "clean")):
    sys.exit(f"setup.py: no {STATIC}: build frost first (cmake -S . -B build && cmake --build build), "
             "or set FROST_BUILD_DIR")


def pkg_config_libs(*packages):
    """The libraries libfrost.a needs (its importers' Debian libraries), as -l names."""
    try:
        out = subprocess.run(["pkg-config", "--libs", *packages], check=True, capture_output=True,
                             text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = ["-lprotobuf-c", "-lzip", "-lcjson", "-lz"]
    return [flag[2:] for flag in out if flag.startswith("-l")]


frost_module = Extension(
    "frost._frost",
    sources=sorted(glob.glob(os.path.join(HERE, "src", "*.c"))) +
            [os.path.join(ROOT, "tools", "common", "inspect_json.c")],
    include_dirs=[os.path.join(ROOT, "include"), os.path.join(ROOT, "tools", "common"),
                  os.path.join(HERE, "src")],
    define_macros=[("Py_LIMITED_API", "0x030B0000")],
    extra_compile_args=["-std=gnu11", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter",
                        "-Wno-missing-field-initializers"],
    extra_objects=[STATIC],
    libraries=pkg_config_libs("libprotobuf-c", "libzip", "libcjson", "zlib") + ["pthread", "m"],
    extra_link_args=["-Wl,--exclude-libs,ALL"],
    py_limited_api=True,
)

setup(
    name="frost",
    version="0.1.0",
    description="Run trained neural networks (TensorFlow .pb, ONNX, Keras, TensorFlow.js) from "
                "Python at the speed of frost's C runtime",
    packages=["frost"],
    package_dir={"frost": os.path.relpath(os.path.join(HERE, "frost"))},
    ext_modules=[frost_module],
    python_requires=">=3.11",
    options={"bdist_wheel": {"py_limited_api": "cp311"}},
)
