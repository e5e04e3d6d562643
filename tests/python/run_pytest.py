"""Runs pytest for ctest, or exits 77 (ctest's "skipped") with the reason when Debian's
python3-pytest or python3-numpy is missing, so a machine without them says so instead of failing."""
import sys

for module, package in (("pytest", "python3-pytest"), ("numpy", "python3-numpy")):
    try:
        __import__(module)
    except ImportError:
        print(f"skipped: {module} is not installed (Debian {package}; scripts/setup-debian.sh)")
        sys.exit(77)

import pytest  # noqa: E402

sys.exit(pytest.main(sys.argv[1:]))
