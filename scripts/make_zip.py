"""Build the installable plugin zip: the files git tracks (plus compiled .qm),
under the top folder rs_embed_qgis/, without tests, benchmarks or tooling."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCLUDE_TOP = {"tests", "bench", "scripts", ".ci", ".gitignore", "Makefile", "pytest.ini",
               "requirements.txt"}


def plugin_files():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.split()
    files = [f for f in tracked if f.split("/")[0] not in EXCLUDE_TOP]
    files += [str(p.relative_to(ROOT)) for p in (ROOT / "i18n").glob("*.qm")]
    return sorted(set(files))


def main(out):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in plugin_files():
            zf.write(ROOT / f, f"rs_embed_qgis/{f}")
    tmp.replace(out)
    print(out)


if __name__ == "__main__":
    main(sys.argv[1])
