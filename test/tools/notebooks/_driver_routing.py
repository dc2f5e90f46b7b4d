"""Replays a scripted message sequence through the kernel driver's KernelRun with a fake client
(for kernel_driver_test.ts): prints the executed cells' outputs and the driver's events as JSON.

Usage: python3 _driver_routing.py DRIVER_PATH SCENARIO_JSON [twice]
The scenario lists, per run of a code cell, the IOPub messages of the cell's request ("cell") and
of the runner's token request ("token"; the string TOKEN in a text is replaced by the real token),
as [msg_type, content] pairs; busy/execute_input/idle statuses are added around them. A run may
also append "headlines" lines to the file NB_HEADLINES names, as a cell calling headline() does.
With "twice", every cell runs twice in a row, so the scenario lists two runs per cell.
"""

import importlib.util
import io
import json
import os
import queue
import re
import sys

import nbformat


class FakeClient:
    def __init__(self, script):
        self.script = list(script)
        self.iopub = queue.Queue()
        self.shell = queue.Queue()
        self.ids = 0
        self.pending_token = None

    def _publish(self, parent, pairs):
        self.iopub.put(self._msg("status", parent, {"execution_state": "busy"}))
        for kind, content in pairs:
            self.iopub.put(self._msg(kind, parent, content))
        self.iopub.put(self._msg("status", parent, {"execution_state": "idle"}))

    def _msg(self, kind, parent, content):
        self.ids += 1
        return {"header": {"msg_id": f"k{self.ids}", "msg_type": kind}, "msg_type": kind,
                "parent_header": {"msg_id": parent}, "metadata": {}, "content": content}

    def execute(self, code, **_options):
        self.ids += 1
        msg_id = f"r{self.ids}"
        token = re.search(r"nbrun-[0-9a-f]+", code)
        if token is None:
            step = self.script.pop(0)
            self.pending_token = step["token"]
            if step.get("headlines"):
                with open(os.environ["NB_HEADLINES"], "a") as f:
                    f.write('{"name": "x"}\n' * step["headlines"])
            self._publish(msg_id, step["cell"])
            self.shell.put({"parent_header": {"msg_id": msg_id}, "content": {"status": "ok"}})
        else:
            pairs = [(kind, json.loads(json.dumps(content).replace("TOKEN", token.group(0))))
                     for kind, content in self.pending_token]
            self._publish(msg_id, pairs)
        return msg_id

    def get_iopub_msg(self, timeout=None):
        return self.iopub.get(timeout=0.1)

    def get_shell_msg(self, timeout=None):
        return self.shell.get(timeout=0.1)


class FakeManager:
    def is_alive(self):
        return True


def main():
    driver_path, scenario = sys.argv[1], json.loads(sys.argv[2])
    twice = sys.argv[3:] == ["twice"]
    cells = len(scenario) // 2 if twice else len(scenario)
    spec = importlib.util.spec_from_file_location("kernel_driver", driver_path)
    driver = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(driver)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"cell {i + 1}")
                                         for i in range(cells)])
    run = driver.KernelRun(nb, ".", "deno", timeout=5, startup_timeout=5, twice=twice)
    run.kc, run.km = FakeClient(scenario), FakeManager()
    events, real_stdout = io.StringIO(), sys.stdout
    sys.stdout = events
    try:
        run.run()
        failure = None
    except driver.CellFailed as error:
        failure = str(error)
    finally:
        sys.stdout = real_stdout
    print(json.dumps({
        "outputs": [[dict(o) for o in cell.outputs] for cell in nb.cells],
        "events": [json.loads(line) for line in events.getvalue().splitlines()],
        "failure": failure,
    }))


if __name__ == "__main__":
    main()
