"""Lists .tar.gz files with Python's tarfile (the differential suite's Python reader).

Runs inside Pyodide (CPython compiled to WebAssembly, the `pyodide` npm package, see readers.ts), so the
suite does not depend on the host's Python: `listing_json(path)` answers one JSON object,
{"file", "ok", "entries"|"error"}, for an archive written into Pyodide's in-memory file system. Run as a
script with a Python 3.11.4 or newer, it reads paths one a line from stdin and writes one object a line
(to compare by hand with the host's tarfile). Each entry has the raw member fields and what the `data`
extraction filter makes of it ("filtered" or "refused"), since that filter is what Python extraction
uses by default from 3.14.
"""
import json
import sys
import tarfile

DEST = "/nonexistent-baiengine-dest"
KINDS = {tarfile.REGTYPE: "file", tarfile.DIRTYPE: "directory", tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink"}


def entry(member):
    out = {
        "name": member.name,
        "type": KINDS.get(member.type, "other:" + member.type.decode("latin-1")),
        "size": member.size,
        "mode": member.mode,
        "link": member.linkname,
    }
    try:
        filtered = tarfile.data_filter(member, DEST)
        out["filtered"] = {"name": filtered.name, "mode": filtered.mode, "link": filtered.linkname}
    except tarfile.FilterError as error:
        out["refused"] = type(error).__name__ + ": " + str(error)
    return out


def listing(path):
    try:
        with tarfile.open(path, "r:gz") as archive:
            return {"file": path, "ok": True, "entries": [entry(m) for m in archive]}
    except Exception as error:  # a reader that fails is an answer, not a crash of the harness
        return {"file": path, "ok": False, "error": type(error).__name__ + ": " + str(error)}


def listing_json(path):
    return json.dumps(listing(path))


def main():
    for line in sys.stdin:
        path = line.rstrip("\n")
        if path:
            sys.stdout.write(listing_json(path) + "\n")


if not hasattr(tarfile, "data_filter"):
    raise ImportError("this Python has no tarfile.data_filter (3.11.4 or newer is needed)")
if __name__ == "__main__":
    main()
