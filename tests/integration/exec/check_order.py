"""check_order.py STATUS.json SIMSTATE.json: acceptance 1 of issue 6.

Waves a -> b, a -> c, d independent. From the simulator's own job records
(creation and end times, tags drover:execution): d started with a; b and c
started only after a's jobs ended; b and c ran concurrently."""
import json
import sys
from datetime import datetime


def ts(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


status = json.load(open(sys.argv[1]))
state = json.load(open(sys.argv[2]))
wave_of_job = {}
for w in status["waves"]:
    for s in w["servers"]:
        if s["job_id"]:
            wave_of_job[s["job_id"]] = w["name"]
jobs = {}
for j in state["jobs"]:
    if j["tags"].get("drover:execution") != status["id"]:
        continue
    assert j["job_id"] in wave_of_job, ("a tagged job drover does not know", j["job_id"])
    jobs.setdefault(wave_of_job[j["job_id"]], []).append(j)
assert sorted(jobs) == ["a", "b", "c", "d"], sorted(jobs)
first = {w: min(ts(j["created_at"]) for j in js) for w, js in jobs.items()}
last_end = {w: max(ts(j["ended_at"]) for j in js) for w, js in jobs.items()}
assert first["d"] < last_end["a"], ("d did not start with a", first, last_end)
assert first["b"] >= last_end["a"], ("b started before a ended", first, last_end)
assert first["c"] >= last_end["a"], ("c started before a ended", first, last_end)
assert first["b"] < last_end["c"] and first["c"] < last_end["b"], ("b and c did not overlap",
                                                                   first, last_end)
print("order ok:", {w: round(first[w] - first["a"], 1) for w in sorted(first)})
