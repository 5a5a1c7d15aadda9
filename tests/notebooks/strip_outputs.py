"""Execute lessons and keep only the outputs that nbval checks.

Usage (from the repository root)::

    .venv/bin/python tests/notebooks/strip_outputs.py notebooks/03-timeline.ipynb
    .venv/bin/python tests/notebooks/strip_outputs.py notebooks/*.ipynb
    .venv/bin/python tests/notebooks/strip_outputs.py --no-execute notebooks/*.ipynb

Each notebook is run top to bottom with the Python that runs this script (the
course's ``.venv``), in the folder it lives in, as ``nbval --nbval-current-env``
does. Then every output is removed except those of the
cells marked ``# NBVAL_CHECK_OUTPUT`` — the expected results nbval compares
under ``--nbval-lax`` — and every execution count is cleared, so the file
committed is clean (``tests/notebooks/test_notebooks_clean.py`` checks it).
nbval refuses a checked cell whose execution count is empty ("Unrun
reference cell has outputs"); ``make test`` loads the plugin
``tests/notebooks/nbval_counts.py``, which numbers those cells in memory.
A cell that raises stops the run, unless it carries the ``raises-exception``
tag. ``--no-execute`` only cleans the outputs already stored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
KERNEL = "koreathaw"
CURRENT_ENV = "current-env"
KERNELSPEC = {"name": "koreathaw", "display_name": "Python 3 (Korean Thaw)", "language": "python"}
# Cell metadata worth keeping; everything else (timings, scroll state, ...) goes.
KEEP_CELL_METADATA = ("tags",)


def is_checked(cell) -> bool:
    """Return True when nbval compares this cell's output (``# NBVAL_CHECK_OUTPUT``)."""
    return cell.get("cell_type") == "code" and any(
        line.strip() == CHECK_MARK for line in "".join(cell.get("source", "")).splitlines()
    )


def coalesce_streams(outputs):
    """Merge consecutive outputs of the same stream, so the file does not depend on how output was flushed."""
    merged = []
    for output in outputs:
        if (output.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == output.get("name")):
            merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def clean(nb):
    """Return ``nb`` with outputs only in checked cells and no execution counts anywhere."""
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA}
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        if not is_checked(cell):
            cell.outputs = []
            continue
        cell.outputs = coalesce_streams(cell.outputs)
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = None
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    return nb


def _current_env_kernel():
    """Return a KernelManager for this very Python (as ``nbval --nbval-current-env`` does)."""
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class CurrentEnv(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict())

    return KernelManager(kernel_name=CURRENT_ENV, kernel_spec_manager=CurrentEnv())


def execute(nb, path: Path, timeout: int = 120, kernel: str = CURRENT_ENV):
    """Run ``nb`` top to bottom in the folder ``path`` lives in, and return it.

    ``kernel`` is a kernel name, or ``"current-env"`` (the default) for the
    Python running this script.
    """
    from nbclient import NotebookClient

    extra = {"km": _current_env_kernel()} if kernel == CURRENT_ENV else {"kernel_name": kernel}
    client = NotebookClient(nb, timeout=timeout, allow_errors=False, store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}}, **extra)
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--no-execute", action="store_true", help="only clean the outputs already stored")
    parser.add_argument("--kernel", default=CURRENT_ENV,
                        help=f"kernel name to run the notebooks in (default: {CURRENT_ENV}, this Python, as nbval does)")
    args = parser.parse_args(argv)
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if not args.no_execute:
            execute(nb, path.resolve(), kernel=args.kernel)
        clean(nb)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        checked = sum(is_checked(c) for c in nb.cells)
        print(f"{path}: {len(nb.cells)} cells, {checked} checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
