"""Plain-text tables of results, in aligned columns."""


def format_table(header, rows):
    """Formats a table as left-aligned columns two spaces apart.

    Args:
        header: The column titles.
        rows: The rows, each a sequence of as many cells as there are titles.
            Cells are written with `str`.

    Returns:
        The table as one string: the titles, a line of dashes under each
        column, then one line per row. Lines carry no trailing spaces.
    """
    lines = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    lines.insert(1, ["-" * width for width in widths])
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines
    )
