"""The labelled ranking of embeddings: a model built to be informative ranks
above one built to be noise (CIs apart, noise at chance), on different grids
and with features in another CRS; table, CSV and chart."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from fixtures_analysis import CRS, planted_clusters, write_embedding
from fixtures_learn import points_on
from rs_embed_qgis.embedders.fileio import OutputSet
from rs_embed_qgis.embedders.learn.rank import (CONCAT, rank_embeddings, ranking_csv, ranking_html, ranking_png,
                                              write_ranking)


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def test_informative_model_ranks_above_noise(tmp_path):
    from pyproj import Transformer

    arr, labels = planted_clusters(d=8, spread=2.0, seed=1)             # informative, not trivially so
    noise = np.random.default_rng(5).normal(size=(16, 32, 40)).astype(np.float32)   # 20 m: another grid
    grids = {"informative": str(write_embedding(tmp_path / "inf.tif", arr, model="inf")),
             "noise": str(write_embedding(tmp_path / "noise.tif", noise, res=20.0, model="noise"))}
    to_ll = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
    feats = [{"xy": list(to_ll.transform(*f["xy"])), "value": f["value"]} for f in points_on(labels, 60, seed=3)]
    r = rank_embeddings(grids, feats, features_crs="EPSG:4326", block_size=160)
    assert r.ranked_by == "spatial_kfold" and r.n == 180
    assert r.order.index("informative") < r.order.index("noise")
    inf, noi = r.best("informative")["balanced_accuracy"], r.best("noise")["balanced_accuracy"]
    assert inf["low"] > noi["high"] and inf["value"] > 0.8
    chance = 1 / 3
    worst_noise = min((x for x in r.rows if x["model"] == "noise"), key=lambda x: x["balanced_accuracy"]["value"])
    assert worst_noise["balanced_accuracy"]["low"] <= chance + 0.05
    assert {x["method"] for x in r.rows} == {"knn1", "knn3", "knn5", "linear"}
    assert {x["cv"] for x in r.rows} == {"kfold", "spatial_kfold"} and CONCAT in r.order
    png = ranking_png(tmp_path / "rank.png", r)
    section = ranking_html(r, png)
    assert section.index("informative") < section.index("<b>noise</b>") and "data:image/png;base64," in section
    rows = list(csv.DictReader(open(ranking_csv(tmp_path / "rank.csv", r))))
    assert len(rows) == 3 * 4 * 2 and rows[0]["rank"] == "1"
    with OutputSet() as outs:
        staged = write_ranking(outs, tmp_path / "cmp", r)
        assert not (tmp_path / "cmp" / "ranking.png").exists()          # staged until the run commits
    assert staged["png"].is_file() and staged["csv"].is_file() and "<b>informative</b>" in staged["html"]
