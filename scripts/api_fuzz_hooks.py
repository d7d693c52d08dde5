"""schemathesis hooks for scripts/api-fuzz.

Long polls (`?wait=`) are cut to 1 s: the HTTP tests cover them; a fuzzer waiting up to 30 s on
each generated example would spend CI's time sleeping. Values that are not durations are kept,
so the server's refusal of them is still checked.
"""
import re

import schemathesis

DURATION = re.compile(r"[0-9]{1,9}(ms|s|m)?")


@schemathesis.hook
def before_call(context, case, kwargs):
    query = case.query or {}
    wait = query.get("wait")
    if isinstance(wait, str) and DURATION.fullmatch(wait):
        query["wait"] = "1s"
