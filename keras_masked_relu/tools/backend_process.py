"""Runs Python under one Keras backend, in a process of its own.

Keras binds its backend when it is first imported, so every tool that compares
or measures backends runs each of them in a new process.
"""

import json
import os
import subprocess
import sys

# Added to the environment of every backend process: TensorFlow's C++, absl and
# XLA log lines would otherwise fill the standard error.
QUIET_LOGS = {"TF_CPP_MIN_LOG_LEVEL": "3"}


class BackendProcessError(RuntimeError):
    """A backend process exited with a non-zero status.

    Args:
        backend: The Keras backend of the process.
        command: The arguments given to the Python interpreter.
        returncode: The exit status.
        stderr: The captured standard error, or `None` when it was not captured.
    """

    def __init__(self, backend, command, returncode, stderr):
        self.backend = backend
        self.command = list(command)
        self.returncode = returncode
        self.stderr = stderr or ""
        message = (
            f"`python {' '.join(self.command)}` under {backend} exited with status {returncode}"
        )
        if self.stderr.strip():
            message += ":\n" + self.stderr.strip()[-3000:]
        super().__init__(message)

    @property
    def error_line(self):
        """The last line of the standard error that names an error, else its last line."""
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        if not lines:
            return f"exit status {self.returncode}"
        return next((line for line in reversed(lines) if "Error" in line), lines[-1])


def run_under_backend(backend, args, *, env=None, timeout=None, check=True, show_stderr=False):
    """Runs `python ARGS` with `KERAS_BACKEND=backend` and returns its standard output.

    Args:
        backend: Keras backend of the process: `"tensorflow"`, `"jax"` or `"torch"`.
        args: Arguments of the Python interpreter: a script and its arguments,
            `["-m", module, ...]` or `["-c", code]`. Each is converted with `str`.
        env: Variables set in the process on top of this process's environment
            and `QUIET_LOGS`.
        timeout: Seconds after which the process is killed and
            `subprocess.TimeoutExpired` raised; `None` waits for it.
        check: Whether a non-zero exit status raises `BackendProcessError`.
        show_stderr: Whether the process writes its standard error to this
            process's (the progress of a long run) instead of having it captured.

    Returns:
        The standard output of the process, as text.

    Raises:
        BackendProcessError: when the process exits with a non-zero status and
            `check` is true. Its message ends with the tail of the standard error.
    """
    command = [str(arg) for arg in args]
    full_env = {**os.environ, **QUIET_LOGS, **(env or {}), "KERAS_BACKEND": backend}
    done = subprocess.run(
        [sys.executable, *command],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=None if show_stderr else subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    if check and done.returncode != 0:
        raise BackendProcessError(backend, command, done.returncode, done.stderr)
    return done.stdout


def run_json_under_backend(backend, args, **kwargs):
    """Runs `python ARGS` like `run_under_backend` and reads the JSON it printed last.

    Args:
        backend: Keras backend of the process.
        args: Arguments of the Python interpreter.
        **kwargs: Keyword arguments of `run_under_backend`.

    Returns:
        The value of the last line of the standard output, parsed as JSON.
    """
    return json.loads(run_under_backend(backend, args, **kwargs).strip().splitlines()[-1])
