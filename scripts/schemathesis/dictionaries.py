"""Print Schemathesis fuzz dictionaries (TOML) of real slugs, ids, tags and cursors.

    python3 scripts/schemathesis/dictionaries.py URL [API_KEY]

Random strings never name an existing case, collection or organisation, so without these a
positive query stops at a `null` root field and no nested resolver runs. With them, Schemathesis
puts a real value in an argument at the bound place with the given probability (it still
generates random values the rest of the time). Only positive cases use dictionaries; negative
cases keep their deliberately invalid arguments.
"""

from __future__ import annotations

import json
import sys
import urllib.request

PROBABILITY = 0.5

QUERY = """
{
  collections { id slug categories { id slug } }
  cases(first: 100) { edges { cursor node { id slug tags countries { code } followUpActions { id } } } }
  organisations(first: 100) { edges { cursor node { id slug } } }
  followUpActions(first: 100) { edges { cursor node { id } } }
}
"""

# Words that `search` finds in the sample set (the tags too); the cursors of `search` are read
# for the first one (a cursor only fits the query, list and ordering it came from).
SEARCH_WORDS = ["sample", "customs", "platform", "export"]
SEARCH_QUERY = """
query ($query: String!) { search(query: $query, first: 20) { edges { cursor } } }
"""

# Page sizes the server accepts (`first`/`last` up to 100 on connections, 20 on relatedCases):
# random Ints are nearly all out of range, so without these few valid pages would be asked for.
PAGE_SIZES = ["0", "1", "2", "3", "5", "10", "20"]

# Binding key (`<Type>.<field>.<argument path>`, `*` for any type or field) -> dictionary.
BINDINGS = {
    "Query.node.id": "ids",
    "Query.nodes.ids[*]": "ids",
    "Query.case.slug": "case_slugs",
    "Query.collection.slug": "collection_slugs",
    "Query.categories.collection": "collection_slugs",
    "Query.category.collection": "collection_slugs",
    "Query.category.slug": "category_slugs",
    "Query.organisation.slug": "organisation_slugs",
    "*.*.filter.collections[*]": "collection_slugs",
    "*.*.filter.categories[*]": "category_slugs",
    "*.*.filter.organisations[*]": "organisation_slugs",
    "*.*.filter.cases[*]": "case_slugs",
    "*.*.filter.tags[*]": "tags",
    "*.*.filter.countries[*]": "countries",
    "Query.search.query": "search_words",
    "*.cases.after": "case_cursors",
    "*.cases.before": "case_cursors",
    "Query.organisations.after": "organisation_cursors",
    "Query.organisations.before": "organisation_cursors",
    "Query.followUpActions.after": "follow_up_action_cursors",
    "Query.followUpActions.before": "follow_up_action_cursors",
    "Query.search.after": "search_cursors",
    "*.*.first": "page_sizes",
    "*.*.last": "page_sizes",
}


def fetch(url: str, key: str | None, query: str, variables: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback only)
        payload = json.load(response)
    if payload.get("errors") or not payload.get("data"):
        raise SystemExit(f"dictionaries: the seed query failed: {json.dumps(payload)[:2000]}")
    return payload["data"]


def collect(data: dict, search_cursors: list[str]) -> dict[str, list[str]]:
    values: dict[str, set[str]] = {name: set() for name in set(BINDINGS.values())}
    values["page_sizes"].update(PAGE_SIZES)
    values["search_cursors"].update(search_cursors)
    values["search_words"].update(SEARCH_WORDS)
    for collection in data["collections"]:
        values["ids"].add(collection["id"])
        values["collection_slugs"].add(collection["slug"])
        for category in collection["categories"]:
            values["ids"].add(category["id"])
            values["category_slugs"].add(category["slug"])
    cursors = {"cases": "case_cursors", "organisations": "organisation_cursors"}
    cursors["followUpActions"] = "follow_up_action_cursors"
    for name in ("cases", "organisations", "followUpActions"):
        for edge in data[name]["edges"]:
            node = edge["node"]
            values["ids"].add(node["id"])
            values[cursors[name]].add(edge["cursor"])
            if name == "cases":
                values["case_slugs"].add(node["slug"])
                values["tags"].update(node["tags"])
                values["search_words"].update(node["tags"])
                values["countries"].update(country["code"] for country in node["countries"])
                values["ids"].update(action["id"] for action in node["followUpActions"])
            elif name == "organisations":
                values["organisation_slugs"].add(node["slug"])
    # Sorted, and a bounded number of each, so the run is the same for the same data.
    return {name: sorted(entries)[:100] for name, entries in values.items() if entries}


def toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def main() -> None:
    url = sys.argv[1]
    key = sys.argv[2] if len(sys.argv) > 2 else None
    data = fetch(url, key, QUERY)
    found = fetch(url, key, SEARCH_QUERY, {"query": SEARCH_WORDS[0]})["search"]["edges"]
    search_cursors = [edge["cursor"] for edge in found]
    dictionaries = collect(data, search_cursors)
    lines = ["", "# Generated by scripts/schemathesis/dictionaries.py from the server under test."]
    for name, entries in sorted(dictionaries.items()):
        lines.append(f"[dictionaries.{name}]")
        lines.append("values = [" + ", ".join(toml_string(entry) for entry in entries) + "]")
    lines.append("")
    lines.append("[parameters]")
    for binding, name in BINDINGS.items():
        if name in dictionaries:
            lines.append(f'{toml_string(binding)} = {{ dictionary = "{name}", probability = {PROBABILITY} }}')
    print("\n".join(lines))
    counts = ", ".join(f"{name} {len(entries)}" for name, entries in sorted(dictionaries.items()))
    print(f"dictionaries: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
