#!/usr/bin/env python3
"""Execute a notebook in the Deno Jupyter kernel and write its outputs (private to tools/notebooks).

Started by tools/notebooks/kernel_run.ts (`runNotebookInKernel`) with Debian's python3 and
jupyter_client. Why not nbclient: Deno 2.9's kernel can send `status: idle` before the outputs it
has queued, and nbclient stops listening at idle, so outputs go missing at random. Here, once a
cell is idle, a hidden cell (store_history off) prints a random token; the kernel's output queue
is first in, first out, so every output of the cell has arrived once the token has, and until
then outputs keep being routed to their cell by parent message id.

The kernel stamps a queued output with the request current when it publishes it, so an output of
the cell still queued when the token's request arrives is stamped with the token's request. Every
output stamped so before the token itself belongs to the cell (the token cell prints nothing
else): it is routed to the cell, and reported with a `restamped` event. (Notebooks that import
lib/notebook end every cell with a flush, after which no such output is left.)

With --twice, every code cell runs twice in a row (its second `begin` event says `again`), as
when a teacher presses Shift-Enter twice, and the second run's outputs are written. With
--run-all-twice, the whole notebook runs, then each code cell once more alone from the last to the
first (`begin` says `pass: "backwards"`; only an error counts), then the whole notebook again in
the same kernel, as Cell › Run All pressed again without a restart (`pass: 2`; --between's code
runs, hidden, before each of its cells); the last pass's outputs are written, and the first
pass's to --first-pass-out. Each `begin` says how many lines the headline file (`NB_HEADLINES`)
held when the run began, read here, where the previous run is known to have finished, so that the
runner can tell a cell's first run's headlines from its second's however late it reads the events.

Prints one JSON event per line on stdout (begin, stream, result, display, update, end, error,
kernel, written, unwritten) for the runner to show. Exit status: 0 done, 1 a cell failed, 2 set-up
failed, 3 the run finished but the notebook could not be written (the `unwritten` event names the
file and the reason), 130 stopped by SIGINT or SIGTERM (the kernel, which runs in a session of its
own, is shut down first). The notebook is written only after a whole run, in one step: into a
temporary file beside it, formatted there, then renamed over it, so that a failure leaves the old
one as it was.
"""

import argparse
import copy
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import time
import uuid

EXIT_CELL_ERROR = 1
EXIT_SETUP = 2
EXIT_UNWRITTEN = 3
EXIT_STOPPED = 130
# How many times a kernel that dies before its first reply is started (see Run.start)
START_ATTEMPTS = 3
# IOPub messages that are (or change) a cell's outputs.
OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error", "update_display_data",
                "clear_output")


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def headline_lines():
    """Lines in the headline file the kernel appends to (`NB_HEADLINES`), or None without one."""
    path = os.environ.get("NB_HEADLINES")
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


def collapse_carriage_returns(text):
    """Keep what a terminal would show: on each line, only the text after its last `\\r`."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rsplit("\r", 1)[-1] for line in lines)


class CellFailed(Exception):
    pass


# Set on the first SIGINT or SIGTERM, or when the kernel is being shut down: later signals are
# ignored, so that none cuts the shutdown short (the kernel would be left running).
stopping = False


def stop_on_signals():
    """Turn the first SIGINT or SIGTERM into a KeyboardInterrupt (Python's default SIGTERM ends
    the process without running `finally`, and would leave the kernel running)."""

    def handler(signum, frame):
        global stopping
        if stopping:
            return
        stopping = True
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


class KernelRun:
    def __init__(self, nb, cwd, kernel_name, timeout, startup_timeout, twice=False,
                 run_all_twice=False, between=None):
        self.nb = nb
        self.twice = twice
        self.run_all_twice = run_all_twice
        self.between = between
        self.first_pass = None  # with run_all_twice: the notebook after its first pass
        self.cwd = cwd
        self.kernel_name = kernel_name
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.owner = {}  # msg_id -> cell index (0-based in nb.cells)
        self.displays = {}  # display_id -> [output nodes]
        self.clear_pending = set()
        self.km = None
        self.kc = None

    # -- kernel lifecycle ------------------------------------------------------------------
    def start(self):
        # jupyter_client picks free ports and closes them before the kernel binds them, so
        # another process starting at the same moment can take one ("Address already in use"):
        # the kernel then dies before its first reply. A new manager picks new ports.
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                self.start_once()
                break
            except RuntimeError as e:
                if "died before replying" not in str(e) or attempt == START_ATTEMPTS:
                    raise
                print(f"the kernel died while starting ({e}); starting it again "
                      f"({attempt + 1} of {START_ATTEMPTS})", file=sys.stderr)
                self.stop_quietly()
        reply = self.kc.kernel_info(reply=True, timeout=self.startup_timeout)
        info = reply["content"].get("language_info", {})
        self.nb.metadata["kernelspec"] = {
            "display_name": self.km.kernel_spec.display_name,
            "language": self.km.kernel_spec.language,
            "name": self.kernel_name,
        }
        self.nb.metadata["language_info"] = info
        emit("kernel", language_info=info)

    def start_once(self):
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_client.manager import KernelManager

        try:
            self.km = KernelManager(kernel_name=self.kernel_name)
            env = dict(os.environ)
            env["NO_COLOR"] = "1"
            self.km.start_kernel(cwd=self.cwd, env=env)
        except NoSuchKernel:
            emit("setup", message=(
                f'no Jupyter kernel named "{self.kernel_name}" is installed; '
                "register Deno's kernel with `deno jupyter --install`"))
            sys.exit(EXIT_SETUP)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=self.startup_timeout)

    def stop_quietly(self):
        """Drops a kernel that failed to start (its channels, its process, its files)."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
                self.km.cleanup_resources()
        except Exception:
            pass
        self.km, self.kc = None, None

    def stop(self):
        global stopping
        stopping = True
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)

    # -- messages ----------------------------------------------------------------------------
    def next_iopub(self, deadline, what):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CellFailed(f"timed out after {self.timeout:g} s waiting for {what}")
            try:
                return self.kc.get_iopub_msg(timeout=min(remaining, 5))
            except queue.Empty:
                if not self.km.is_alive():
                    raise CellFailed(f"the kernel died while waiting for {what}")

    def shell_reply(self, msg_id, deadline):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CellFailed(f"timed out after {self.timeout:g} s waiting for the reply")
            try:
                msg = self.kc.get_shell_msg(timeout=min(remaining, 5))
            except queue.Empty:
                if not self.km.is_alive():
                    raise CellFailed("the kernel died while waiting for the reply")
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def add_output(self, index, output):
        cell = self.nb.cells[index]
        if index in self.clear_pending:
            cell.outputs = []
            self.clear_pending.discard(index)
        last = cell.outputs[-1] if cell.outputs else None
        if (output.output_type == "stream" and last is not None
                and last.output_type == "stream" and last.name == output.name):
            last.text += output.text
        else:
            cell.outputs.append(output)

    def route(self, msg, index=None):
        """Apply one iopub message to the cell that caused it (or to cell `index`, for an output
        stamped with the token's request). Returns an error output or None."""
        from nbformat.v4 import output_from_msg

        if index is None:
            index = self.owner.get(msg["parent_header"].get("msg_id"))
        kind = msg["msg_type"]
        content = msg["content"]
        if index is None:
            return None
        position = index + 1
        if kind == "clear_output":
            if content.get("wait"):
                self.clear_pending.add(index)
            else:
                self.nb.cells[index].outputs = []
            return None
        if kind == "update_display_data":
            display_id = content.get("transient", {}).get("display_id")
            for output in self.displays.get(display_id, []):
                output.data = content["data"]
                output.metadata = content.get("metadata", {})
            emit("update", cell=position, id=display_id, data=content["data"])
            return None
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return None
        output = output_from_msg(msg)
        if kind == "execute_result":
            output.execution_count = self.nb.cells[index].execution_count
        self.add_output(index, output)
        if kind == "stream":
            emit("stream", cell=position, name=content["name"], text=content["text"])
        elif kind == "display_data":
            display_id = content.get("transient", {}).get("display_id")
            if display_id:
                self.displays.setdefault(display_id, []).append(output)
            emit("display", cell=position, id=display_id, data=content["data"])
        elif kind == "execute_result":
            emit("result", cell=position, data=content["data"])
        else:
            return output
        return None

    def execute(self, index, count, again=False, run_pass=None):
        cell = self.nb.cells[index]
        cell.outputs = []
        cell.execution_count = count
        extra = {"again": True} if again else {}
        if run_pass is not None:
            extra["pass"] = run_pass
        lines = headline_lines()
        if lines is not None:
            extra["headlines"] = lines
        emit("begin", cell=index + 1, count=count, **extra)
        started = time.monotonic()
        deadline = started + self.timeout
        msg_id = self.kc.execute(cell.source, store_history=True, allow_stdin=False,
                                 stop_on_error=True)
        self.owner[msg_id] = index
        error = None
        while True:
            msg = self.next_iopub(deadline, "the cell to finish")
            error = self.route(msg) or error
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                break
        reply = self.shell_reply(msg_id, deadline)
        # The hidden token cell: everything the cell printed is in the queue before the token.
        token = f"nbrun-{uuid.uuid4().hex}"
        token_id = self.kc.execute(f'console.log("{token}")', silent=False, store_history=False,
                                   allow_stdin=False)
        while True:
            msg = self.next_iopub(deadline, "the cell's last outputs")
            if msg["parent_header"].get("msg_id") != token_id:
                error = self.route(msg) or error
                continue
            kind = msg["msg_type"]
            if kind == "stream" and token in msg["content"]["text"]:
                before = msg["content"]["text"].split(token, 1)[0]
                if before:
                    late = dict(msg, content=dict(msg["content"], text=before))
                    error = self.route(late, index) or error
                    emit("restamped", cell=index + 1, type=kind)
                break
            if kind in OUTPUT_TYPES:
                # An output of this cell published after the token's request became current.
                error = self.route(msg, index) or error
                emit("restamped", cell=index + 1, type=kind)
        seconds = time.monotonic() - started
        if error is None and reply["content"].get("status") == "error":
            content = reply["content"]
            error = {"ename": content.get("ename", "Error"), "evalue": content.get("evalue", ""),
                     "traceback": content.get("traceback", [])}
        if error is not None:
            emit("error", cell=index + 1, count=count, ename=error["ename"],
                 evalue=error["evalue"], traceback=error["traceback"], seconds=seconds)
            raise CellFailed(f"{error['ename']}: {error['evalue']}")
        emit("end", cell=index + 1, count=count, seconds=seconds)

    def hidden(self, code, before):
        """Runs `code` as a hidden cell (no history, nothing shown) before cell `before`."""
        deadline = time.monotonic() + self.timeout
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        error = None
        while True:
            msg = self.next_iopub(deadline, "the code run before the cell")
            if msg["parent_header"].get("msg_id") != msg_id:
                self.route(msg)
                continue
            if msg["msg_type"] == "error":
                error = f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}"
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        reply = self.shell_reply(msg_id, deadline)
        if error is None and reply["content"].get("status") == "error":
            error = f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}"
        if error is not None:
            raise CellFailed(f"the code run before cell {before + 1} failed: {error}")

    def run(self):
        cells = []
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code":
                continue
            if not cell.source.strip():
                cell.outputs = []
                cell.execution_count = None
                continue
            cells.append(index)
        count = 0
        for index in cells:
            count += 1
            self.execute(index, count)
            if self.twice:
                # As a teacher pressing Shift-Enter twice: the second run's outputs are kept.
                count += 1
                self.execute(index, count, again=True)
        if not self.run_all_twice:
            return
        self.first_pass = copy.deepcopy(self.nb)
        # Each cell alone after the end, as a teacher going back to one: the last cell first, so
        # that each runs after every cell below it (what it made may be gone, or changed).
        for index in reversed(cells):
            count += 1
            self.execute(index, count, run_pass="backwards")
        # Cell › Run All again, without a restart.
        for index in cells:
            if self.between:
                self.hidden(self.between, index)
            count += 1
            self.execute(index, count, run_pass=2)


def normalise(nb):
    """Make re-runs byte-identical: no timing metadata, collapsed `\\r` progress, stable ids."""
    for position, cell in enumerate(nb.cells, start=1):
        for key in ("execution", "ExecuteTime"):
            cell.metadata.pop(key, None)
        if nb.nbformat_minor >= 5 and not cell.get("id"):
            cell["id"] = f"cell-{position}"
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type == "stream":
                    output.text = collapse_carriage_returns(output.text)


def end_sources_with_newline(nb):
    """Deno 2.9.6's `deno fmt --check` reports a notebook cell whose source lacks a final newline
    as unformatted (on a cold cache), while `deno fmt` writes code cells without one: add it."""
    for cell in nb.cells:
        if cell.source and not cell.source.endswith("\n"):
            cell.source += "\n"


def format_with_deno(path, deno, config, name=None):
    """`deno fmt` formats notebooks' cells; format the written notebook so `deno fmt --check`
    passes, then restore the final newlines (see end_sources_with_newline). `name` is the file
    the messages name (default: `path`)."""
    import nbformat

    command = [deno, "fmt", "--quiet"] + (["--config", config] if config else []) + [path]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"deno fmt failed on {name or path}: {done.stderr.strip()}")
    nb = nbformat.read(path, as_version=4)
    end_sources_with_newline(nb)
    nbformat.write(nb, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--out", help="where to write the executed notebook (default: in place)")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per cell")
    parser.add_argument("--startup-timeout", type=float, default=120)
    parser.add_argument("--twice", action="store_true",
                        help="run every code cell twice in a row; keep the second run's outputs")
    parser.add_argument("--run-all-twice", action="store_true",
                        help="run the notebook, each cell alone from the last, then it all again")
    parser.add_argument("--between", help="with --run-all-twice: code run (hidden) before each "
                        "cell of the second pass")
    parser.add_argument("--first-pass-out", help="with --run-all-twice: where to write the "
                        "notebook as its first pass left it")
    parser.add_argument("--deno", help="deno executable: format the written notebook with it")
    parser.add_argument("--fmt-config", help="deno.json whose fmt options apply")
    args = parser.parse_args()
    stop_on_signals()
    try:
        import nbformat
    except ImportError as error:
        emit("setup", message=f"{error}; install Debian's python3-nbformat and jupyter-client")
        return EXIT_SETUP
    nb = nbformat.read(args.notebook, as_version=4)
    cwd = os.path.dirname(os.path.abspath(args.notebook))
    run = KernelRun(nb, cwd, args.kernel, args.timeout, args.startup_timeout, args.twice,
                    args.run_all_twice, args.between)
    try:
        run.start()
        run.run()
    except CellFailed as failure:
        emit("failed", message=str(failure))
        return EXIT_CELL_ERROR
    except KeyboardInterrupt:
        return EXIT_STOPPED
    finally:
        run.stop()
    out = args.out or args.notebook
    writing = out
    try:
        if run.first_pass is not None and args.first_pass_out:
            writing = args.first_pass_out
            normalise(run.first_pass)
            end_sources_with_newline(run.first_pass)
            write_notebook(run.first_pass, args.first_pass_out, args.deno, args.fmt_config)
        writing = out
        normalise(nb)
        end_sources_with_newline(nb)
        write_notebook(nb, out, args.deno, args.fmt_config)
    except (OSError, RuntimeError) as error:
        # A disk that fills, a folder made read-only during the run, `deno fmt` failing: the
        # cells ran, the file is left as it was; one line naming it, not a traceback.
        emit("unwritten", path=os.path.abspath(writing), message=reason(error))
        return EXIT_UNWRITTEN
    emit("written", path=out)
    return 0


def reason(error):
    """An error's reason in one line, as Deno words the system's: `No space left on device (os
    error 28)`, without the temporary file's name that Python adds."""
    if isinstance(error, OSError) and error.errno is not None and error.strerror:
        return f"{error.strerror} (os error {error.errno})"
    return " ".join(str(error).split())


def write_notebook(nb, out, deno, config):
    """Write `nb` to `out` in one step: to a temporary file beside it (named *.ipynb, which
    `deno fmt` formats as a notebook), formatted with `deno` when given, then renamed over `out`
    with the mode of the file it replaces (0644 when there was none); a link at `out` is
    followed, as writing to it did. On any failure the temporary file is removed and `out` is
    left as it was."""
    import nbformat

    target = os.path.realpath(out)
    folder, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp.ipynb")
    os.close(fd)
    try:
        nbformat.write(nb, tmp)
        if deno:
            format_with_deno(tmp, deno, config, f"the executed notebook for {out}, not written")
        try:
            mode = os.stat(target).st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


if __name__ == "__main__":
    sys.exit(main())
