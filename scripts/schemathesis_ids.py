"""Real ids of the demo province for schemathesis: one [[operations]] block per area, so that
`/competitions/{id}`, `/events/{id}`, … reach real objects instead of answering 404 to random ids.
Usage: schemathesis_ids.py API_BASE ADMIN_TOKEN > schemathesis.toml"""
import json
import sys
import urllib.request

base, token = sys.argv[1], sys.argv[2]


def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(request))


competitions = get("/competitions?limit=50")["items"]
kunming = next(c for c in competitions if "昆明市职工" in c["name"])
past = [c for c in get("/competitions?limit=50&year=2025")["items"] if "云南省职工" in c["name"]]
awards = get(f"/competitions/{past[0]['id']}/awards") if past else []
ids = {
    "competitions": kunming["id"],
    "events": get(f"/competitions/{kunming['id']}")["events"][0]["id"],
    "registrations": get("/registrations?limit=1")["items"][0]["id"],
    "persons": get("/persons?limit=1")["items"][0]["id"],
    "organisations": kunming["host_org_id"],
    "users": get("/users?limit=1")["items"][0]["id"],
    "awards": awards[0]["id"] if awards else None,
}
for area, id in ids.items():
    if id:
        print(f'[[operations]]\ninclude-path-regex = "^/api/v1/{area}/\\\\{{id\\\\}}"\nparameters = {{ id = "{id}" }}\n')
