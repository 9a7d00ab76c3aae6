"""The linear and kNN probes that every card's probe figures come from."""

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from jepa_explorer.train.eval import probe_scores


def _blobs(n: int, seed: int):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return (rng.normal(size=(n, 8)) + 3.0 * np.eye(3, 8)[y]).astype(np.float32), y


def test_the_probes_score_separable_classes_and_fit_on_one_thread(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    seen = []
    real_fit = LogisticRegression.fit

    def fit(self, *args, **kwargs):
        seen.extend((pool["user_api"], pool["num_threads"]) for pool in threadpool_info())
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", fit)
    train, test = _blobs(300, 0), _blobs(200, 1)
    with threadpool_limits(limits=2):  # what a 2-core eval run gives BLAS and OpenMP
        scores = probe_scores(*train, *test)
    apis = {api for api, _ in seen}
    assert {"blas", "openmp"} <= apis and {n for _, n in seen} == {1}  # so where lbfgs stops does not depend on threads
    assert scores["linear"] > 0.9 and scores["knn20"] > 0.9  # three well-separated blobs
    noise = probe_scores(train[0], np.random.default_rng(2).integers(0, 3, 300), *test)
    assert noise["linear"] < 0.5  # labels unrelated to the features: near chance (1/3)
