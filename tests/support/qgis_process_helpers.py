"""Run the real ``qgis_process.bin`` in a subprocess with the plugin enabled
in a private profile, as a headless user would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"


def qgis_process_env(profile_dir, extra=None):
    site = [p for p in sys.path if p.endswith("site-packages")]
    env = dict(os.environ)
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "QGIS_CUSTOM_CONFIG_PATH": str(profile_dir),
        "QGIS_PLUGINPATH": str(REPO / ".build" / "pkg"),
        "PYTHONPATH": os.pathsep.join([str(REPO / ".build" / "pkg")] + site),
    })
    env.update(extra or {})
    return env


def enable_plugin(env):
    proc = subprocess.run([QGIS_PROCESS, "plugins", "enable", "rs_embed_qgis"], env=env,
                          capture_output=True, text=True, timeout=120)
    # exit 1 with "already enabled" on a re-run is fine
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and "already" not in proc.stdout + proc.stderr):
        raise RuntimeError(f"enabling the plugin failed: {proc.stdout}\n{proc.stderr}")


def run_qgis_process(profile_dir, algorithm, params, extra_env=None, timeout=600):
    """``qgis_process.bin run <alg> --json -- K=V ...``: (returncode, parsed json or None, stderr)."""
    env = qgis_process_env(profile_dir, extra_env)
    enable_plugin(env)
    args = [QGIS_PROCESS, "--json", "run", algorithm, "--"] + [f"{k}={v}" for k, v in params.items()]
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    try:
        out = json.loads(proc.stdout[proc.stdout.index("{"):])
    except ValueError:
        out = None
    return proc.returncode, out, proc.stdout + proc.stderr
