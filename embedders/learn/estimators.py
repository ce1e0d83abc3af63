"""The estimators offered for classification and regression, built with fixed
seeds. kNN uses brute-force search (no tree structure in the model file) and
kNN / linear models see standardised inputs; trees take the values as they are."""
from __future__ import annotations

from ..errors import SpecError
from ..packages import require

CLASSIFIERS = ("knn", "logistic", "random_forest", "hist_gradient_boosting")
REGRESSORS = ("knn", "linear", "random_forest", "hist_gradient_boosting")


def _sk():
    return require("sklearn", "scikit-learn", "learning from labelled examples (the 'analysis' family)")


def make_classifier(kind: str, seed: int = 0, k: int = 5, n_estimators: int = 100):
    _sk()
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "knn":
        return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k, algorithm="brute"))
    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    if kind == "random_forest":
        return RandomForestClassifier(n_estimators=n_estimators, n_jobs=-1, random_state=seed)
    if kind == "hist_gradient_boosting":
        return HistGradientBoostingClassifier(random_state=seed)
    raise SpecError(f"Unknown classifier {kind!r}; choose one of {', '.join(CLASSIFIERS)}.")


def make_regressor(kind: str, seed: int = 0, k: int = 5, n_estimators: int = 100):
    _sk()
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "knn":
        return make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=k, algorithm="brute"))
    if kind == "linear":
        return make_pipeline(StandardScaler(), RidgeCV(alphas=(1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0)))
    if kind == "random_forest":
        return RandomForestRegressor(n_estimators=n_estimators, n_jobs=-1, random_state=seed)
    if kind == "hist_gradient_boosting":
        return HistGradientBoostingRegressor(random_state=seed)
    raise SpecError(f"Unknown regressor {kind!r}; choose one of {', '.join(REGRESSORS)}.")
