"""A scikit-learn model served the way data scientists serve one: Flask behind gunicorn.

The find-max tests profile it as a real model endpoint. The model is trained at start-up on a
seeded synthetic problem (no data file), and POST /score takes the seed's payload shape,
{"data": [[10 numbers], ...]}, answering {"result": [class, ...]}; GET /health answers "ok".

Run: gunicorn --workers 1 --bind 127.0.0.1:PORT --chdir test/support sklearn_app:app
(Debian: python3-sklearn, python3-flask, gunicorn).
"""
import numpy as np
from flask import Flask, jsonify, request
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

features, labels = make_classification(n_samples=2000, n_features=10, random_state=0)
model = LogisticRegression(max_iter=1000).fit(features, labels)
app = Flask(__name__)


@app.post("/score")
def score():
    rows = np.asarray(request.get_json(force=True)["data"], dtype=float)
    return jsonify({"result": model.predict(rows).tolist()})


@app.get("/health")
def health():
    return "ok"
