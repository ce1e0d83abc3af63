"""`make demo`: Embed ROI through the real `qgis_process.bin` on the bundled
Tessera sample (real v1.1 format, generated locally, no network), then a PNG
preview of the PCA layer rendered by QGIS.

Runs in QGIS's Python. The core runs in its own environment, the Python named
by RS_EMBED_PYTHON (`make setup` builds it at .build/core-env with the plugin's
set-up code): it writes the sample, and the worker that qgis_process starts
runs Embed ROI. No PYTHONPATH, no venv activation."""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "demo_output"
sys.path.insert(0, str(ROOT / ".build" / "pkg"))
sys.path.insert(0, str(ROOT / "scripts"))

import tessera_sample  # noqa: E402

EXTENT = "{},{},{},{} [EPSG:4326]".format(
    tessera_sample.DEMO_EXTENT[0], tessera_sample.DEMO_EXTENT[2],
    tessera_sample.DEMO_EXTENT[1], tessera_sample.DEMO_EXTENT[3])


CORE_PY = os.environ.get("RS_EMBED_PYTHON") or str(ROOT / ".build" / "core-env" / "bin" / "python")


def qgis_env():
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "QGIS_CUSTOM_CONFIG_PATH": str(OUT / "qgis-profile"),
        "QGIS_PLUGINPATH": str(ROOT / ".build" / "pkg"),
        "RS_EMBED_PYTHON": CORE_PY,
        "RS_EMBED_CACHE_DIR": str(OUT / "cache"),
    })
    env.update(tessera_sample.demo_env(OUT / "sample"))
    return env


def make_sample():
    """The sample, written by the core's Python (numpy 2, rasterio, pyarrow)."""
    if not Path(CORE_PY).exists():
        raise SystemExit(f"No core environment at {CORE_PY}: run `make setup` (or set RS_EMBED_PYTHON).")
    run([CORE_PY, str(ROOT / "scripts" / "tessera_sample.py"), "demo", str(OUT / "sample")],
        {k: v for k, v in os.environ.items() if k != "PYTHONPATH"})


def run(cmd, env, check=True):
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return proc


def render_preview(pca_path, png_path):
    from qgis.core import QgsApplication, QgsRasterLayer

    from rs_embed_qgis.qgis_common.postprocessors import style_pca
    from rs_embed_qgis.qgis_common.render import render_layers_png

    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsRasterLayer(str(pca_path), "PCA")
    if not layer.isValid():
        raise SystemExit(f"QGIS cannot open {pca_path}")
    style_pca(layer)
    render_layers_png([layer], png_path, width=900)
    del layer
    app.exitQgis()


def main():
    OUT.mkdir(exist_ok=True)
    print("1/3 Preparing the bundled Tessera sample (real v1.1 format, no network) ...")
    make_sample()
    env = qgis_env()
    run(["/usr/bin/qgis_process.bin", "plugins", "enable", "rs_embed_qgis"], env, check=False)
    emb, pca, png = OUT / "tessera_2024.tif", OUT / "tessera_2024_pca.tif", OUT / "tessera_2024_pca.png"
    cmd = ["/usr/bin/qgis_process.bin", "run", "rs_embed:embed_roi", "--",
           f"EXTENT={EXTENT}", "MODEL=tessera", "YEAR=2024", f"OUTPUT={emb}", f"PCA_OUTPUT={pca}"]
    print("2/3 Running:", " ".join(f"'{c}'" if " " in c else c for c in cmd))
    t0 = time.time()
    proc = run(cmd, env)
    print("\n".join("    " + ln for ln in proc.stdout.splitlines() if "Grid" in ln or "Embedding" in ln))
    print(f"    done in {time.time() - t0:.1f} s")
    print("3/3 Rendering the PCA layer with QGIS ...")
    render_preview(pca, png)
    print("\nOutputs:")
    print(f"  embedding grid (128 bands, float32): {emb}")
    print(f"  PCA pseudocolour (RGBA):             {pca}")
    print(f"  PNG preview rendered by QGIS:        {png}")


if __name__ == "__main__":
    main()
