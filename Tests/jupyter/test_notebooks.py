"""Every lesson notebook run by nbclient on the rlhf kernel, as JupyterLab's Run All would:
its text outputs (streams, each result's text/plain, errors) must equal the committed ones,
which `rlhf notebook --check` keeps equal to a run of the Markdown lesson, and `rlhf check`
compares with the lesson's text. Live progress displays (metadata rlhf.live) are skipped:
they show a running command, not its result."""
import copy
import glob
import os
import time
import unittest

import nbformat
from nbclient import NotebookClient

from common import ROOT


def text_outputs(cell):
    """The cell's outputs as the lines a reader compares, live displays left out."""
    lines = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            # a kernel sends a stream in pieces as it is printed; a saved notebook may join them
            prefix = output["name"] + ": "
            if lines and lines[-1].startswith(prefix):
                lines[-1] += output["text"]
            else:
                lines.append(prefix + output["text"])
        elif kind in ("execute_result", "display_data"):
            if output.get("metadata", {}).get("rlhf", {}).get("live"):
                continue
            lines.append("result: " + output["data"].get("text/plain", ""))
        elif kind == "error":
            lines.append("error: " + output["evalue"] + "\n" + "\n".join(output["traceback"]))
    return lines


class LessonNotebookTests(unittest.TestCase):
    def test_every_lesson_notebook_runs_to_its_outputs(self):
        paths = sorted(glob.glob(os.path.join(ROOT, "lessons", "notebooks", "*.ipynb")))
        self.assertGreaterEqual(len(paths), 13)
        for path in paths:
            with self.subTest(notebook=os.path.basename(path)):
                committed = nbformat.read(path, as_version=4)
                fresh = copy.deepcopy(committed)
                for cell in fresh.cells:
                    if cell.cell_type == "code":
                        cell.outputs = []
                started = time.monotonic()
                NotebookClient(fresh, kernel_name="rlhf", timeout=600,
                               resources={"metadata": {"path": os.path.dirname(path)}}).execute()
                print(f"{os.path.basename(path)}: ran in {time.monotonic() - started:.1f} s", flush=True)
                for want, got in zip(committed.cells, fresh.cells):
                    if want.cell_type != "code":
                        continue
                    self.assertEqual(text_outputs(got), text_outputs(want), f"cell {want.get('id')}: {want.source!r}")


if __name__ == "__main__":
    unittest.main()
