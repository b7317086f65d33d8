"""Every Python block of the README and the docs runs as written, imports included.

Each block runs in a fresh namespace, in a folder of its own, under this process's
backend. A block whose first line is `# backend: NAME` runs under that backend only.
"""

import pathlib
import re

import keras
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```", re.M | re.S)


def blocks():
    found = []
    for page in PAGES:
        text = page.read_text()
        for match in BLOCK.finditer(text):
            indent = len(match.group(1))
            code = "\n".join(line[indent:] for line in match.group(2).splitlines())
            line = text[: match.start()].count("\n") + 1
            found.append(pytest.param(code, id=f"{page.relative_to(ROOT)}:{line}"))
    return found


def test_the_pages_hold_python_blocks():
    assert len(blocks()) >= 5


@pytest.fixture
def restore_process_settings():
    """A block may change settings of the whole process; each is put back."""
    from keras_masked_relu import config, openvino_precision

    fusion, float32 = config.is_eager_fusion_enabled(), openvino_precision.is_float32()
    yield
    (config.enable_eager_fusion if fusion else config.disable_eager_fusion)()
    if not float32:
        openvino_precision.use_default_precision()


@pytest.mark.parametrize("code", blocks())
def test_block_runs(code, tmp_path, monkeypatch, restore_process_settings):
    wanted = re.match(r"# backend: (\w+)", code)
    if wanted and wanted.group(1) != keras.backend.backend():
        pytest.skip(f"the block is written for the {wanted.group(1)} backend")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "<block>", "exec"), {"__name__": "__block__"})
