"""A griffe extension for the API reference: Keras-style `Example:` sections, whose
`>>>` lines are not indented under the heading, become Google-style `Examples:`
sections, which mkdocstrings renders as code."""

import re

import griffe

_EXAMPLE = re.compile(r"^(Examples?:)\n((?:(?:>>>|\.\.\.|\S).*\n?|\n)+)", re.M)


def _indent(match):
    body = match.group(2)
    # The section runs to the next heading (a line ending in ":" at column 0) or the end.
    lines = []
    for line in body.splitlines():
        if re.match(r"^[A-Z]\w*( \w+)*:$", line):
            break
        lines.append(line)
    rest = body.splitlines()[len(lines) :]
    indented = "\n".join(("    " + line) if line else "" for line in lines)
    # Griffe reads a lone "Example:" as an admonition; "Examples:" is the code section.
    return f"Examples:\n{indented}\n" + ("\n".join(rest) + "\n" if rest else "")


class KerasExamples(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(_indent, obj.docstring.value)
