# Loaded by `npm run notebooks` (lib/notebooks/run.ts) with `jupyter nbconvert --config`.
# tslab answers a failed cell with an empty error reply and writes the error to the cell's stderr
# stream, so nbconvert alone would report "<Error>:". This hook prints one JSON line naming the
# cell and its error before nbconvert stops; the runner turns it into its own error message.
import json
import sys


def report_cell_error(cell, cell_index, execute_reply):
    content = execute_reply.get("content", {})
    stderr = "".join(
        "".join(o.get("text", ""))
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )
    errors = [
        "{}: {}".format(o.get("ename", ""), o.get("evalue", ""))
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    reply = "{}: {}".format(content.get("ename", ""), content.get("evalue", "")).strip(": ")
    message = "\n".join(errors) or stderr.strip() or reply or "(the kernel gave no message)"
    sys.stderr.write("RDARTS_CELL_ERROR " + json.dumps({"cell": cell_index, "message": message}) + "\n")
    sys.stderr.flush()


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
c.ExecutePreprocessor.on_cell_error = report_cell_error
