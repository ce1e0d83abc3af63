"""Per-model CPU benchmark of the on-the-fly models: forward time per 224 x 224
Sentinel-2 patch, peak memory, weights size.

Each model runs in its own fresh process: the real architecture is built with
random weights (no download: the published weights do not change time or
memory), put into the embedder, and a 224 x 224 px Sentinel-2 patch (all
bands, 10 m) goes through ``embed_patch`` with ``input_prep="resize"`` (band
selection, no-data check, resize to the model's input size, preprocessing,
forward, grid + pooled). One warm-up pass, then ``--repeat`` timed passes; the
median wall time is reported, with the process CPU time (all threads; less
sensitive to other load on a shared machine) and the 1-minute load average. Peak memory: the process's VmHWM after the passes, and its
rise over the resident size before the model was built. Weights size: the
published file's size where the pin records it, else the float32 size of the
architecture's parameters (marked "params"). Batch size 1, the machine's torch
threads.

    /tmp/probe-env/bin/python bench/bench_models.py [--repeat 3] [--models a,b]

Prints a Markdown table and writes bench/results/models.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODELS = ("remoteclip_s2rgb", "satmae_s2rgb", "scalemae_s2rgb", "prithvi_s2_6b", "prithvi_s2_6b_tl",
          "dofa_s2", "dofa_l_s2", "terrafm_b", "olmoearth", "satmaepp_s2")


def _status_mb(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def build(model_id):
    """The model's architecture with random weights, as its load_model builds it."""
    if model_id == "remoteclip_s2rgb":
        import open_clip

        visual = open_clip.create_model("ViT-B-32", pretrained=None).visual
        visual.output_tokens = True
        return visual
    if model_id == "satmae_s2rgb":
        import timm

        return timm.create_model("vit_large_patch16_224", pretrained=False, num_classes=0, global_pool="")
    if model_id == "scalemae_s2rgb":
        from torchgeo.models import scalemae_large_patch16

        return scalemae_large_patch16(weights=None, num_classes=0)
    if model_id.startswith("prithvi"):
        from rs_embed_qgis.embedders.models.prithvi import ARCH
        from rs_embed_qgis.embedders.models.prithvi_net import PrithviEncoder

        return PrithviEncoder(coords=model_id.endswith("_tl"), **ARCH)
    if model_id.startswith("dofa"):
        import torchgeo.models as tgm

        return (tgm.dofa_large_patch16_224 if model_id == "dofa_l_s2" else tgm.dofa_base_patch16_224)(weights=None)
    if model_id == "terrafm_b":
        from rs_embed_qgis.embedders.models.terrafm_net import terrafm_base

        return terrafm_base(12)
    if model_id == "olmoearth":
        import olmoearth_pretrain_minimal as om
        from olmoearth_pretrain_minimal import ModelID
        from olmoearth_pretrain_minimal import model_loader as ml

        model = om.OlmoEarthPretrain_v1(model_size="base", model_version="v1").model
        ml._restrict_encoder_inputs(model, ml._get_encoder_input_modalities(ModelID.OLMOEARTH_V1_BASE))
        return model.encoder
    if model_id == "satmaepp_s2":
        from rs_embed_qgis.embedders.models.satmaepp import build_encoder

        return build_encoder()
    raise SystemExit(f"unknown model {model_id}")


def one(model_id, repeat):
    sys.path.insert(0, str(REPO / ".build" / "pkg"))
    sys.path.insert(0, str(REPO / "tests" / "support"))
    import statistics

    import torch
    from fixtures_models import s2_patch

    from rs_embed_qgis.embedders.base import EmbedRequest
    from rs_embed_qgis.embedders.config import get_config
    from rs_embed_qgis.embedders.imagery.base import S2_BANDS
    from rs_embed_qgis.embedders.registry import create_embedder
    from rs_embed_qgis.embedders.specs import BBox, OutputSpec, TemporalSpec

    rss0 = _status_mb("VmRSS")
    emb = create_embedder(model_id)
    model = build(model_id).eval()
    params = sum(p.numel() for p in model.parameters())
    emb._models["cpu"] = model
    cfg = get_config()
    patch = s2_patch(224, 224, bands=S2_BANDS, seed=1)
    req = EmbedRequest(spatial=BBox(2.9, 51.0, 3.1, 51.1), temporal=TemporalSpec.range("2021-06-01", "2021-07-01"),
                       output=OutputSpec.grid(), config=cfg)
    times, cpu = [], []
    for i in range(repeat + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        grid, pooled = emb.embed_patch_both(patch, OutputSpec.grid(), device="cpu", request=req, config=cfg)
        if i:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    spec = emb.weights
    return {"model": model_id, "input_size": emb.input_size, "grid": list(grid.data.shape),
            "pooled": int(pooled.data.shape[0]), "seconds_per_224_patch": statistics.median(times),
            "seconds_all": times, "cpu_seconds_per_224_patch": statistics.median(cpu),
            "load_avg_1min": os.getloadavg()[0], "peak_rss_mb": _status_mb("VmHWM"),
            "peak_rise_mb": _status_mb("VmHWM") - rss0, "params": int(params),
            "weights_bytes": spec.size or params * 4, "weights_size_from": "pin" if spec.size else "params",
            "torch_threads": torch.get_num_threads()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.repeat)))
        return
    rows = []
    for mid in args.models.split(","):
        res = subprocess.run([sys.executable, __file__, "--one", mid, "--repeat", str(args.repeat)],
                             capture_output=True, text=True)
        if res.returncode:
            rows.append({"model": mid, "error": res.stderr.strip().splitlines()[-1:]})
            print(f"{mid}: failed: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    print("| model | input | grid | wall s / 224² patch | CPU s | peak RSS MB (rise) | weights |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if "error" in r:
            print(f"| {r['model']} | failed: {r['error']} | | | | | |")
            continue
        w = f"{r['weights_bytes'] / 1e6:.0f} MB" + (" (params)" if r["weights_size_from"] == "params" else "")
        print(f"| {r['model']} | {r['input_size']}² | {'×'.join(map(str, r['grid']))} | "
              f"{r['seconds_per_224_patch']:.2f} | {r['cpu_seconds_per_224_patch']:.2f} | "
              f"{r['peak_rss_mb']:.0f} ({r['peak_rise_mb']:.0f}) | {w} |")
    out = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "python": platform.python_version()},
           "repeat": args.repeat, "rows": rows}
    path = REPO / "bench" / "results" / "models.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
