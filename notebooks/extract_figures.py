"""Writes the pictures the README and the docs embed, from the executed notebooks.

A code cell tagged `figure:NAME` must have one PNG among its outputs; it is
written to `notebooks/images/NAME.png`, so the README and the docs show exactly what the
notebook drew. `make notebooks` runs this after executing the notebooks.
"""

import base64
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).parent


def figures(notebook):
    """`(name, png bytes)` of each cell of `notebook` tagged `figure:NAME`."""
    for cell in json.loads(notebook.read_text())["cells"]:
        for tag in cell.get("metadata", {}).get("tags", []):
            if not tag.startswith("figure:"):
                continue
            pngs = [
                o["data"]["image/png"]
                for o in cell.get("outputs", [])
                if "image/png" in o.get("data", {})
            ]
            if len(pngs) != 1:
                sys.exit(
                    f"{notebook.name}: the cell tagged {tag} has {len(pngs)} PNG outputs, not 1"
                )
            yield tag.removeprefix("figure:"), base64.b64decode(pngs[0])


def main():
    (HERE / "images").mkdir(exist_ok=True)
    for notebook in sorted(HERE.glob("*.ipynb")):
        for name, png in figures(notebook):
            path = HERE / "images" / f"{name}.png"
            path.write_bytes(png)
            print(f"{notebook.name} -> {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
