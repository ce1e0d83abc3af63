"""Per-model CPU benchmark of the on-the-fly models: forward time per 224 x 224
Sentinel-2 patch, peak memory, weights size.

Each model runs in its own fresh process: the real architecture is built with
random weights (no download: the published weights do not change time or
memory), put into the embedder, and a 224 x 224 px Sentinel-2 patch (all
bands, 10 m) goes through ``embed_patch`` with ``input_prep="resize"`` (band
selection, no-data check, resize to the model's input size, preprocessing,
forward, grid + pooled). Multi-frame models run with their default frame
count: agrifm's 8 frames are 8 such patches stacked as ``<band>@t<i>`` bands
(what its ``fetch_frames`` gives); galileo and anysat default to one frame.

One warm-up pass, then ``--repeat`` timed passes; the median wall time is
reported, with the process CPU time (all threads), the fastest pass and the
1-minute load average. Peak memory: the process's VmHWM after the passes, and
its rise over the resident size before the model was built (loading a real
checkpoint is not measured). Weights size: the published file's size where
the pin records it, else the float32 size of the architecture's parameters
(marked "params"). Batch size 1, torch's default threads, or ``--threads N``:
on a machine shared with other work, two threads waiting for each other at
every operation inflate wall and CPU time by up to 10x from one pass to the
next; one thread gives figures steady to ~10 % within a run, ~25 % across runs.

    .build/core-env/bin/python bench/bench_models.py [--repeat 3] [--threads 1] [--models a,b]

Prints a Markdown table of this run and merges its rows into
bench/results/models.json: every row carries the ``run`` it was measured in
(``runs`` describes each: start time, commit, load average), rows of models not
in this run are kept, a model measured again gets its new row beside the old.
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
          "dofa_s2", "dofa_l_s2", "terrafm_b", "olmoearth", "satmaepp_s2",
          "thor", "galileo", "clay", "terramind", "anysat", "fomo", "agrifm", "wildsat")
# Constructor values of published checkpoints whose load_model reads them off the file; each
# is the value the named test asserts for the authors' full-size model.
GALILEO_NANO = dict(embedding_size=128, depth=4, num_heads=8, mlp_ratio=4, max_sequence_length=24,
                    freeze_projections=False, drop_path=0.1, max_patch_size=8)  # test_models_galileo PUBLISHED
FOMO_NET_1 = dict(dim=768, depth=12, heads=12, mlp_dim=2048, patch=16, tokens=16, keys=38)  # test_models_fomo
AGRIFM_SWIN_B = dict(in_chans=10, embed_dim=128, patch=(4, 2, 2), depths=(2, 2, 18, 2), heads=(4, 8, 16, 32),
                     mlp_ratio=4.0)  # test_models_agrifm


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
    if model_id == "thor":  # arch_of(published Base) = 768 wide, 12 blocks, 12 heads; run at patch 8
        from rs_embed_qgis.embedders.models import thor_net
        from rs_embed_qgis.embedders.models.thor import PATCH

        return thor_net.build_encoder(768, 12, 12, PATCH)
    if model_id == "galileo":  # load_model: GalileoS2Encoder(**encoder_config(config.json))
        from rs_embed_qgis.embedders.models.galileo_net import GalileoS2Encoder, encoder_config

        return GalileoS2Encoder(**encoder_config({"model": {"encoder": GALILEO_NANO}}))
    if model_id == "clay":
        from rs_embed_qgis.embedders.models.clay import ClayV15
        from rs_embed_qgis.embedders.models.clay_net import clay_encoder

        return clay_encoder(ClayV15.encoder_size, ClayV15.depth)
    if model_id == "terramind":
        from rs_embed_qgis.embedders.models.terramind import TerraMindBase
        from rs_embed_qgis.embedders.models.terramind_net import terramind_base

        return terramind_base(TerraMindBase.depth)  # built on the CPU: its sin-cos code buffer is computed
    if model_id == "anysat":
        from rs_embed_qgis.embedders.models.anysat import AnySatS2
        from rs_embed_qgis.embedders.models.anysat_net import AnySatS2Encoder

        return AnySatS2Encoder(**AnySatS2.arch)
    if model_id == "fomo":
        from rs_embed_qgis.embedders.models import fomo_net

        return fomo_net.build(**FOMO_NET_1)
    if model_id == "agrifm":
        from rs_embed_qgis.embedders.models import agrifm_net

        return agrifm_net.build(**AGRIFM_SWIN_B)
    if model_id == "wildsat":  # arch_of the published architecture (torchvision vit_b_16)
        import torch
        import torchvision

        from rs_embed_qgis.embedders.models import wildsat_net

        with torch.device("meta"):
            published = torchvision.models.vit_b_16(weights=None).state_dict()
        return wildsat_net.build(**wildsat_net.arch_of(published))
    raise SystemExit(f"unknown model {model_id}")


def bench_patch(model_id, s2_patch, bands):
    """(the 224 x 224 patch the model gets, its frame count): agrifm's default frames
    stacked as ``fetch_frames`` stacks them (frame-major ``<band>@t<i>``), else one."""
    if model_id != "agrifm":
        return s2_patch(224, 224, bands=bands, seed=1), 1
    import numpy as np

    from rs_embed_qgis.embedders.imagery.base import ImageryPatch
    from rs_embed_qgis.embedders.models.agrifm import BANDS, DEFAULT_FRAMES
    from rs_embed_qgis.embedders.models.frames import frame_bands

    frames = [s2_patch(224, 224, bands=BANDS, seed=1 + i) for i in range(DEFAULT_FRAMES)]
    data = np.concatenate([f.data for f in frames], axis=0)
    return ImageryPatch(data, frame_bands(BANDS, DEFAULT_FRAMES), frames[0].grid, {"source": "bench"}), DEFAULT_FRAMES


def one(model_id, repeat, threads=None):
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

    if threads:
        torch.set_num_threads(threads)
    rss0 = _status_mb("VmRSS")
    emb = create_embedder(model_id)
    model = build(model_id).eval()
    params = sum(p.numel() for p in model.parameters())
    emb._models["cpu"] = model  # load_model (weights and side files such as galileo's config.json) skipped
    cfg = get_config()
    patch, frames = bench_patch(model_id, s2_patch, S2_BANDS)
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
    meta = grid.meta
    bands = len(meta["bands"]) // frames
    s = meta["input_size"]
    return {"model": model_id, "input_size": emb.input_size, "frames": frames, "bands": bands,
            "input_prep": meta["input_prep"], "tiles": meta["tiles"],
            "input": f"{s}² × {bands} bands" + (f" × {frames} frames" if frames > 1 else "")
                     + ("" if meta["input_prep"] == "resize" else f", {meta['input_prep']} ({meta['tiles']} tiles)"),
            "grid": list(grid.data.shape),
            "pooled": int(pooled.data.shape[0]), "seconds_per_224_patch": statistics.median(times),
            "seconds_all": times, "cpu_seconds_per_224_patch": statistics.median(cpu),
            "seconds_min": min(times), "cpu_seconds_min": min(cpu), "cpu_seconds_all": cpu,
            "load_avg_1min": os.getloadavg()[0], "peak_rss_mb": _status_mb("VmHWM"),
            "peak_rise_mb": _status_mb("VmHWM") - rss0, "params": int(params),
            "weights_bytes": spec.size or params * 4, "weights_size_from": "pin" if spec.size else "params",
            "torch_threads": torch.get_num_threads()}


def _git_head():
    res = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return res.stdout.strip() or None


def merge(path, run_id, run, rows):
    """The results file with this run's rows added (earlier rows kept; the first
    layout, one run without ids, becomes run "79f81c1", the commit that wrote it)."""
    old = json.loads(path.read_text()) if path.exists() else {}
    runs = old.get("runs")
    if runs is None and old.get("rows"):
        runs = {"79f81c1": {"committed_utc": "2026-11-29T18:07:30Z", "repeat": old.get("repeat"),
                            "machine": old.get("machine"),
                            "load_avg_1min": "see each row's load_avg_1min (~6.5-10 on 2 CPUs)"}}
        for r in old["rows"]:
            r.setdefault("run", "79f81c1")
    runs = dict(runs or {}, **{run_id: run})
    return {"note": "each row has the run it was measured in (see runs); compare rows of one run",
            "runs": runs, "rows": list(old.get("rows", [])) + rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's own choice); 1 keeps the "
                    "CPU time free of thread waits when other processes share the cores")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.repeat, args.threads)))
        return
    run_id = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    load0 = os.getloadavg()
    rows = []
    for mid in args.models.split(","):
        cmd = [sys.executable, __file__, "--one", mid, "--repeat", str(args.repeat)]
        res = subprocess.run(cmd + (["--threads", str(args.threads)] if args.threads else []),
                             capture_output=True, text=True)
        if res.returncode:
            rows.append({"model": mid, "run": run_id, "error": res.stderr.strip().splitlines()[-1:]})
            print(f"{mid}: failed: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        rows.append(dict(json.loads(res.stdout.strip().splitlines()[-1]), run=run_id))
    run = {"started_utc": run_id, "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "commit": _git_head(), "repeat": args.repeat, "torch_threads": args.threads or "torch default",
           "models": args.models.split(","),
           "load_avg_start": list(load0), "load_avg_end": list(os.getloadavg()),
           "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "python": platform.python_version()}}
    print("| model | input | grid | wall s / 224² patch (min) | CPU s (min) | peak RSS MB (rise) | weights "
          "| load 1 min |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        if "error" in r:
            print(f"| {r['model']} | failed: {r['error']} | | | | | | |")
            continue
        w = f"{r['weights_bytes'] / 1e6:.0f} MB" + (" (params)" if r["weights_size_from"] == "params" else "")
        print(f"| {r['model']} | {r['input']} | {'×'.join(map(str, r['grid']))} | "
              f"{r['seconds_per_224_patch']:.2f} ({r['seconds_min']:.2f}) | "
              f"{r['cpu_seconds_per_224_patch']:.2f} ({r['cpu_seconds_min']:.2f}) | "
              f"{r['peak_rss_mb']:.0f} ({r['peak_rise_mb']:.0f}) | {w} | {r['load_avg_1min']:.1f} |")
    print(f"\nrun {run_id}: load average (1, 5, 15 min) at start {load0}, at end {run['load_avg_end']}")
    path = REPO / "bench" / "results" / "models.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merge(path, run_id, run, rows), indent=1))
    os.replace(tmp, path)
    print(f"written {path}")


if __name__ == "__main__":
    main()
