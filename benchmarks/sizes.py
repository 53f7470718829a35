"""Size of what is deployed: the common layer (unzipped and zipped) and each function package, from
``sam build``'s output. Targets: function packages under 50 KB; the layer without boto3/botocore,
tests or host bytecode."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

from benchmarks.common import arguments, print_table
from localdev.template import ROOT

BUILD = ROOT / ".aws-sam" / "build"
FORBIDDEN_PACKAGES = ("boto3", "botocore", "s3transfer")


def tree_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def zipped_size(path: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(path.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(path))
    return buffer.tell()


def kib(size: int) -> str:
    return f"{size / 1024:,.1f} KiB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.2f} MiB"


def main() -> None:
    arguments(__doc__).parse_args()
    if not (BUILD / "CommonLayer").exists():
        subprocess.run([str(Path(sys.executable).parent / "sam"), "build"], cwd=ROOT, check=True)  # noqa: S603
    layer = BUILD / "CommonLayer" / "python"
    rows = [("CommonLayer", kib(tree_size(layer)), kib(zipped_size(layer)), "")]
    problems = []
    for package in FORBIDDEN_PACKAGES:
        if (layer / package).exists():
            problems.append(f"{package} is in the layer")
    if any(part == "tests" for file in layer.rglob("*") for part in file.relative_to(layer).parts[:-1]):
        problems.append("a tests folder is in the layer")
    bytecode = sorted({file.name.split(".")[-2] for file in layer.rglob("*.pyc")})
    if any(tag != "cpython-313" for tag in bytecode):
        problems.append(f"bytecode for another Python: {bytecode}")
    biggest = sorted(((tree_size(entry), entry.name) for entry in layer.iterdir() if entry.is_dir()), reverse=True)
    for size, name in biggest[:6]:
        rows.append((f"  {name}", kib(size), "", ""))
    venue = BUILD / "VenueLayer" / "venue"  # off sys.path (/opt/venue): see layers/venue/Makefile
    venue_size = tree_size(venue)
    rows.append(("VenueLayer", kib(venue_size), kib(zipped_size(venue)), ""))
    if (BUILD / "VenueLayer" / "python").exists():
        problems.append("the venue layer puts packages on the default path (/opt/python)")
    for package in ("pydantic", "pydantic_core", "urllib3", *FORBIDDEN_PACKAGES):
        if (venue / package).exists():
            problems.append(f"{package} is in the venue layer: the common layer or the runtime provides it")
    # Lambda's limit: 250 MB unzipped per function, its layers included.
    executing = tree_size(layer) + venue_size + tree_size(BUILD / "ExecuteOrderFunction")
    rows.append(("an executing function, both layers", kib(executing), "", "of 250 MB"))
    for function in sorted(path for path in BUILD.iterdir() if path.is_dir() and path.name.endswith("Function")):
        size = tree_size(function)
        rows.append((function.name, kib(size), kib(zipped_size(function)), "ok" if size < 50 * 1024 else "OVER 50 KB"))
    print_table("Deployed sizes (sam build output)", ["package", "unzipped", "zipped", "under 50 KB"], rows)
    print(f"Layer bytecode: {', '.join(bytecode) or 'none (Python compiles at every cold start)'}")
    print("Layer check: " + ("; ".join(problems) if problems else "no boto3/botocore, no tests, no host bytecode"))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
