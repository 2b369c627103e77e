#!/usr/bin/env python3
"""Export files for the killed-import phase of scripts/faults.sh.

    export_tool.py edit EXPORT.json OUT.json MARK [COPIES]
        OUT: the export without the fault suite's own cases (slugs `fault-…`), every title
        of every case (each locale) ending in MARK, and COPIES (default 0) extra copies of
        each case under new slugs (`copy-<k>-<slug>`): an import of OUT changes or creates
        every case of the file.
    export_tool.py digest EXPORT.json
        Prints {"cases", "titles_sha256", "content_sha256"} over everything but the fault
        suite's own cases (which the write load keeps adding meanwhile).
"""

import copy
import hashlib
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def without_fault_cases(doc):
    doc = dict(doc)
    doc["cases"] = [c for c in doc.get("cases", []) if not c["slug"].startswith("fault-")]
    return doc


def edit(src, dst, mark, copies=0):
    doc = without_fault_cases(load(src))
    for case in doc["cases"]:
        for text in (case.get("texts") or {}).values():
            text["title"] = (text["title"] + mark)[:300]
        # A changed row gets a new updatedAt and version when the file leaves them out.
        case.pop("updatedAt", None)
        case.pop("version", None)
    extra = []
    for k in range(1, copies + 1):
        for case in doc["cases"]:
            twin = copy.deepcopy(case)
            twin["slug"] = f"copy-{k}-{case['slug']}"
            twin.pop("createdAt", None)
            extra.append(twin)
    doc["cases"].extend(extra)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)
    print(len(doc["cases"]))


def digest(src):
    doc = without_fault_cases(load(src))
    titles = sorted((c["slug"], loc, t.get("title", ""))
                    for c in doc["cases"] for loc, t in (c.get("texts") or {}).items())
    print(json.dumps({
        "cases": len(doc["cases"]),
        "titles_sha256": hashlib.sha256(json.dumps(titles, ensure_ascii=False).encode()).hexdigest(),
        "content_sha256": hashlib.sha256(
            json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest(),
    }))


if __name__ == "__main__":
    if sys.argv[1] == "edit":
        edit(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    elif sys.argv[1] == "digest":
        digest(sys.argv[2])
    else:
        sys.exit("usage: export_tool.py edit|digest …")
