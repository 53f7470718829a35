"""Give the built layer Python 3.13 bytecode, so Lambda does not compile every module at each cold start.

Lambda's /opt is read-only: without .pyc files of the runtime's Python, every cold start compiles the
layer's modules again (measured: 407 ms instead of 235 ms to import a handler in the python3.13 image).
Bytecode depends on the Python version, not the CPU, and must come from a Python 3.13: the first of
`python3.13` on PATH, or the Lambda python3.13 image (real, or the offline stand-in) through Docker.
With neither, the layer ships source only and a warning says what that costs.

    python -m tools.bytecode .aws-sam/build/CommonLayer/python
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path

from localdev.sam_local import images

COMPILE = ["-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]


def lambda_image() -> str:
    """The image sam local runs the functions on (the real one if present, else the stand-in)."""
    architecture = "arm64" if platform.machine() in {"aarch64", "arm64"} else "x86_64"
    chosen = images.choose_image(images.docker_cli_labels, "3.13", architecture)
    return chosen or images.standin_image("3.13", architecture)


def _runs(interpreter: str) -> bool:
    """A version manager's shim may be on PATH without a Python behind it."""
    probe = [interpreter, "-c", "import sys; assert sys.version_info[:2] == (3, 13)"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0  # noqa: S603


def docker_can_run(image: str) -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    found = subprocess.run([docker, "image", "inspect", image], capture_output=True, check=False)  # noqa: S603
    return found.returncode == 0


def compile_layer(layer: Path) -> str:
    """Compile every module of ``layer`` with Python 3.13; returns how, or raises if it cannot."""
    interpreter = shutil.which("python3.13")
    if interpreter and _runs(interpreter):
        subprocess.run([interpreter, *COMPILE, str(layer)], check=True)  # noqa: S603
        return interpreter
    image = lambda_image()
    if docker_can_run(image):
        subprocess.run(  # noqa: S603
            ["docker", "run", "--rm", "--entrypoint", "python3", "-v", f"{layer.resolve()}:/opt/python", image,  # noqa: S607
             *COMPILE, "/opt/python"],
            check=True,
        )  # fmt: skip
        return image
    raise LookupError("no Python 3.13 (python3.13 on PATH, or the Lambda python3.13 image in Docker)")


def main(argv: list[str] | None = None) -> int:
    arguments = argv if argv is not None else sys.argv[1:]
    layer = Path(arguments[0] if arguments else ".aws-sam/build/CommonLayer/python")
    try:
        how = compile_layer(layer)
    except LookupError as missing:
        print(f"warning: the layer ships without bytecode ({missing}); cold starts compile it each time.")
        return 0
    files = len(list(layer.rglob("*.cpython-313.pyc")))
    print(f"compiled {files} modules of {layer} with {how}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
