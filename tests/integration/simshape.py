#!/usr/bin/env python3
# simshape.py - shared by the boto3 simulator tests (sim_scenario.py,
# sim_launch.py): boto3 clients against `drover sim` whose every response
# is checked against its botocore output shape (types, enums, string
# patterns and lengths, required members, and for JSON protocols no member
# the model does not define); problems and calls collect what was seen.
# Set simshape.URL before making clients.
import datetime
import json
import re

import boto3
import botocore.config
import botocore.exceptions

URL = None  # the simulator endpoint: set by the importing script
problems = []
calls = []


def check(shape, value, path):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected structure, got {type(value).__name__}")
            return
        for req in shape.required_members:
            if req not in value:
                problems.append(f"{path}: missing required member {req}")
        for k, v in value.items():
            if k == "ResponseMetadata" and path.count(".") == 0:
                continue
            if k not in shape.members:
                problems.append(f"{path}: unknown member {k}")
                continue
            check(shape.members[k], v, f"{path}.{k}")
    elif t == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected list")
            return
        for i, v in enumerate(value):
            check(shape.member, v, f"{path}[{i}]")
    elif t == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected map")
            return
        for k, v in value.items():
            check(shape.key, k, f"{path}<key>")
            check(shape.value, v, f"{path}[{k}]")
    elif t == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected string, got {type(value).__name__}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not in the enum")
        meta = shape.metadata
        matched = None
        if "pattern" in meta:
            try:
                matched = re.fullmatch(meta["pattern"], value) is not None
            except re.error:
                pass
            if matched is False:
                problems.append(f"{path}: {value!r} does not match {meta['pattern']}")
        # Where the model's length bounds contradict its own pattern (EbsVolumeID:
        # max 19 but vol- + 17 hex, as real volume IDs are), the pattern wins.
        if not matched:
            if "min" in meta and len(value) < meta["min"]:
                problems.append(f"{path}: shorter than {meta['min']}")
            if "max" in meta and len(value) > meta["max"]:
                problems.append(f"{path}: longer than {meta['max']}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected integer")
    elif t in ("double", "float"):
        if not isinstance(value, (int, float)):
            problems.append(f"{path}: expected number")
    elif t == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected boolean")
    elif t == "timestamp":
        if not isinstance(value, datetime.datetime):
            problems.append(f"{path}: expected timestamp")


def raw_keys(shape, value, path):
    """JSON bodies: every key the server sent must be a member of the shape."""
    if shape.type_name == "structure" and isinstance(value, dict):
        names = {m.serialization.get("name", k): m for k, m in shape.members.items()}
        for k, v in value.items():
            if k not in names:
                problems.append(f"{path}: the server sent unknown key {k}")
            else:
                raw_keys(names[k], v, f"{path}.{k}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            raw_keys(shape.member, v, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            raw_keys(shape.value, v, f"{path}[{k}]")


def after_call(http_response, parsed, model, **kw):
    calls.append(model.name)
    if http_response.status_code >= 300 or model.output_shape is None:
        return
    check(model.output_shape, parsed, model.name)
    proto = model.metadata["protocol"]
    if proto in ("json", "rest-json") and http_response.content:
        raw_keys(model.output_shape, json.loads(http_response.content), model.name + "(raw)")


def client(svc, creds, region):
    c = boto3.client(
        svc,
        endpoint_url=URL,
        region_name=region,
        config=botocore.config.Config(retries={"max_attempts": 1}),
        **creds,
    )
    c.meta.events.register("after-call.*", after_call)
    return c


def expect_error(code, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {e}"
        return e
    raise AssertionError(f"expected {code}, the call succeeded")
