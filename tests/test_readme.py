"""The README's examples run and do what they say."""

import re
from pathlib import Path

import tinygrad_np as tg

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example(number: int) -> dict:
    code = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[number]
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    return namespace


def test_readme_autograd_example_recovers_the_line():
    namespace = readme_example(0)
    assert abs(namespace["w"].item() - 3.0) < 1e-3
    assert abs(namespace["b"].item() - 2.0) < 1e-3


def test_readme_model_example_learns_and_saves_a_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = readme_example(1)
    assert namespace["loss"].item() < 0.1
    checkpoint = tg.load(tmp_path / "checkpoint.npz")
    assert list(checkpoint["model"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]
