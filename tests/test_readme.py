"""The README's example runs and does what it says."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_example_recovers_the_line():
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert abs(namespace["w"].item() - 3.0) < 1e-3
    assert abs(namespace["b"].item() - 2.0) < 1e-3
