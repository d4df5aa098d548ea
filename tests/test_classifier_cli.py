"""`fakewatch train / evaluate / classify / dataset fetch`, run through the command line."""

from __future__ import annotations

import contextlib
import http.server
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakewatch.cli import main
from tests.corpora import synthetic_corpus

pytestmark = pytest.mark.slow

FAST = ["--param", "n_estimators=30", "--param", "n_jobs=1", "--preset", "study"]


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = synthetic_corpus(240, seed=21).rename(columns={"title": "headline", "label": "y"})
    frame["y"] = frame["y"].map({1: "FAKE", 0: "REAL"})
    path = tmp_path_factory.mktemp("data") / "corpus.csv"
    frame.to_csv(path, index=False)
    return path


CORPUS_OPTIONS = ["--title-column", "headline", "--label-column", "y"]
CORPUS_OPTIONS += ["--fake-values", "fake", "--real-values", "real"]


@pytest.fixture(scope="module")
def model_folder(corpus_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "lgbm"
    args = ["train", "--data", str(corpus_file), "--model", "lightgbm", "--out", str(out)]
    assert main([*args, *FAST, *CORPUS_OPTIONS]) == 0
    return out


def test_train_writes_model_and_test_report(model_folder: Path) -> None:
    manifest = json.loads((model_folder / "manifest.json").read_text())
    assert manifest["kind"] == "lightgbm" and manifest["params"]["n_estimators"] == 30
    assert manifest["metrics"]["test"]["accuracy"] > 0.7
    # Measured on the test split, then refit on train and test (192 + 24 of the 240 rows);
    # the 24 validation rows calibrate both.
    refit = manifest["metrics"]["refit"]
    assert refit["refit"] and refit["measured_model"] != manifest["model_version"]
    assert manifest["training_data"]["rows"] == refit["rows"] == 216
    assert manifest["training_data"]["validation_rows"] == 24
    report = model_folder / "evaluation-test"
    for name in ("report.md", "metrics.json", "confusion_matrix.png", "roc_curve.png"):
        assert (report / name).stat().st_size > 0, name
    text = (report / "report.md").read_text()
    assert "calibration_curve.png" in text
    # Three verdicts by label, the row of real articles summing to the real test articles.
    row = next(line for line in text.splitlines() if line.startswith("| actually real |"))
    real_counts = [int(cell) for cell in row.strip("|").split("|")[1:]]
    test_scores = json.loads((report / "metrics.json").read_text())["metrics"]
    assert len(real_counts) == 3
    assert sum(real_counts) == test_scores["articles"] - test_scores["fake"]


def test_evaluate_on_fresh_articles_has_no_overlap_warning(
    model_folder: Path, tmp_path: Path
) -> None:
    fresh = synthetic_corpus(80, seed=77).rename(columns={"title": "headline", "label": "y"})
    fresh["y"] = fresh["y"].map({1: "FAKE", 0: "REAL"})
    fresh.to_csv(tmp_path / "fresh.csv", index=False)
    out = tmp_path / "eval"
    args = ["evaluate", "--model", str(model_folder), "--data", str(tmp_path / "fresh.csv")]
    assert main([*args, "--out", str(out), *CORPUS_OPTIONS]) == 0
    assert "training data" not in (out / "report.md").read_text()


def test_no_refit_saves_the_model_that_was_measured(
    corpus_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "measured"
    args = ["train", "--data", str(corpus_file), "--model", "tfidf_logreg", "--out", str(out)]
    assert main([*args, "--no-refit", *CORPUS_OPTIONS]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    refit = manifest["metrics"]["refit"]
    assert not refit["refit"] and refit["measured_model"] == manifest["model_version"]
    assert manifest["training_data"]["rows"] == 192
    printed = capsys.readouterr()
    assert "then refit" not in printed.out
    # The training log reads as sentences, not Python dicts.
    assert "fakewatch: split: 192 to train, 24 to calibrate, 24 to test" in printed.err
    assert "{" not in printed.err


def test_evaluate_writes_report_with_cv_and_learning_curve(
    model_folder: Path, corpus_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eval"
    args = ["evaluate", "--model", str(model_folder), "--data", str(corpus_file)]
    args += ["--out", str(out), "--cv", "3", "--learning-curve", *CORPUS_OPTIONS]
    assert main(args) == 0
    text = (out / "report.md").read_text()
    assert "3-fold cross-validation" in text and "Learning curve" in text
    assert "**not** the score of the deployed model" in text
    # The very file the model learned from (train and test rows, after its refit): said so.
    assert "216 of 240 articles (90%) were in the model's training data" in text
    assert (out / "learning_curve.png").stat().st_size > 0
    assert (out / "calibration_curve.png").stat().st_size > 0
    assert "report written" in capsys.readouterr().out


def test_classify_file_and_stdin(
    model_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Shocking secret exposed\nThe elite hoax was exposed, shocking insiders!\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("Budget\nOfficials announced the statement."))
    assert main(["classify", str(article), "-", "--model", str(model_folder), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["input"] for r in records] == [str(article), "-"]
    assert records[0]["probability_fake"] > records[1]["probability_fake"]
    assert {r["verdict"] for r in records} <= {"fake", "uncertain", "real"}
    # Why: the cue words of each text, pushing each its own way; and how far from training.
    towards_fake = {feature for feature, weight in records[0]["explanation"] if weight > 0}
    assert towards_fake & {"shocking", "secret", "exposed", "hoax"}, records[0]["explanation"]
    assert "exclamations_per_word" in towards_fake  # the synthetic fakes end with "!"
    assert all(0.0 <= r["shift_score"] <= 1.0 for r in records)
    assert all(isinstance(r["in_distribution"], bool) for r in records)


def test_classify_says_when_an_article_is_unlike_the_training_data(
    model_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "recipe.txt"
    recipe.write_text("Sourdough loaf\nKnead flour, yeast, salt and rye; proof the dough, bake.")
    assert main(["classify", str(recipe), "--model", str(model_folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] in {"uncertain", "real"}  # never "fake" so far from training
    assert "UNLIKE the training data" in lines[1] and "shift=" in lines[1]


class PageHandler(http.server.BaseHTTPRequestHandler):
    page = (
        "<html><head><title>Officials announce budget</title></head><body><article>"
        "<h1>Officials announce budget</h1>"
        + "".join(
            f"<p>Officials announced agreement number {i} on Monday, according to a statement "
            f"from the ministry. The committee reported that survey {i} confirmed the estimated "
            "percent, and analysts said the quarter would show it.</p>"
            for i in range(6)
        )
        + "</article></body></html>"
    ).encode()

    def do_GET(self) -> None:
        if self.path == "/":  # a homepage: headlines and links, no article
            links = "".join(
                f"<li><a href='/news/{i}.html'>Headline number {i} about the city</a></li>"
                for i in range(30)
            )
            body = f"<html><body><nav><ul>{links}</ul></nav></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/pub/article.html")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        if self.path == "/trickle":  # a byte now and then: each read is quick, the whole is not
            with contextlib.suppress(OSError):  # the client gives up: that is the point
                for byte in self.page[:40]:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            return
        self.wfile.write(self.page)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def page_url() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/news/budget.html"
    httpd.shutdown()
    httpd.server_close()


def test_classify_url(
    model_folder: Path, page_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("articles.extraction")
    args = ["classify", page_url, "--model", str(model_folder), "--allow-private", "127.0.0.1/32"]
    assert main(args) == 0
    line = capsys.readouterr().out.strip()
    assert "Officials announce budget" in line and "p(fake)=" in line


@pytest.mark.parametrize(
    ("path", "options", "complaint"),
    [
        ("/news/budget.html", [], "non-public address 127.0.0.1; add --allow-private CIDR"),
        ("/to-ftp", ["--allow-private", "127.0.0.1/32"], "only http:// and https://"),
        ("/trickle", ["--allow-private", "127.0.0.1/32", "--timeout", "1.5"], "within 1.5 s"),
        ("/", ["--allow-private", "127.0.0.1/32"], "the crawler would skip it too"),
    ],
)
def test_classify_fetches_like_the_crawler_or_not_at_all(
    model_folder: Path,
    page_url: str,
    capsys: pytest.CaptureFixture[str],
    path: str,
    options: list[str],
    complaint: str,
) -> None:
    url = page_url.replace("/news/budget.html", path)
    # The trickling page takes 8 s; "within 1.5 s" in the message proves the deadline cut it.
    assert main(["classify", url, "--model", str(model_folder), *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and complaint in err[0], err


def test_corrupt_model_folder_is_one_line_error(
    model_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in model_folder.glob("*.json"):
        (broken / path.name).write_bytes(path.read_bytes())
    (broken / "lightgbm_model.txt").write_text("tree\nnonsense")
    article = tmp_path / "a.txt"
    article.write_text("Title\nText")
    assert main(["classify", str(article), "--model", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fakewatch: error:") and "checksum" in err and "\n" not in err


def test_bad_corpus_and_bad_param_are_one_line_errors(
    corpus_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--data", str(corpus_file), "--out", str(tmp_path / "a")]) == 2
    assert "lacks column(s) title" in capsys.readouterr().err
    args = ["train", "--data", str(corpus_file), "--out", str(tmp_path / "b"), *CORPUS_OPTIONS]
    assert main([*args, "--param", "trees=3"]) == 2
    assert "has no parameter(s) trees" in capsys.readouterr().err


def test_dataset_fetch_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "http://127.0.0.1:9/WELFake_Dataset.csv"
    assert main(["dataset", "fetch", "welfake", "--dest", str(tmp_path), "--url", url]) == 2
    assert "cannot reach" in capsys.readouterr().err


def test_classify_uses_the_configured_models_and_names_them_as_the_daemon_does(
    model_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Budget\nOfficials announced the statement.\n")
    monkeypatch.setenv("FAKEWATCH_MODELS", str(model_folder))
    monkeypatch.delenv("FAKEWATCH_CONFIG", raising=False)
    assert main(["classify", str(article), "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["model"] == model_folder.name and record["kind"] == "lightgbm"
