#!/usr/bin/env python3
"""gen_models.py - generates src/aws/models/*.c, drover's compact operation
and shape tables, from the botocore service models (service-2.json[.gz] and
paginators-1.json of the newest API version per service).

Standard library only, no network. The table layout is declared in the
hand-written src/aws/model_tables.h; keep the two in step.

    python3 tools/gen_models.py [--botocore-dir DIR] [--out DIR]
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys

# CLI service name -> operations to include (None: every operation).
SERVICES = [
    ("drs", None),
    ("sts", ["AssumeRole", "GetCallerIdentity"]),
    ("iam", ["GetRole", "ListRoles", "GetRolePolicy", "ListRolePolicies",
             "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion", "CreateRole",
             "PutRolePolicy", "CreatePolicy", "AttachRolePolicy"]),
    ("kms", ["DescribeKey", "GetKeyPolicy", "ListAliases", "ListKeys", "Encrypt", "Decrypt",
             "CreateKey", "CreateAlias", "PutKeyPolicy"]),
    ("ec2", ["DescribeInstances", "DescribeSubnets", "DescribeSecurityGroups",
             "DescribeRouteTables", "DescribeVpcs", "DescribeVpcPeeringConnections",
             "DescribeInstanceTypeOfferings", "DescribeInstanceStatus", "RunInstances",
             "TerminateInstances", "StopInstances", "StartInstances", "CreateVpc",
             "CreateSubnet", "CreateSecurityGroup", "CreateTags", "DescribeImages", "DescribeSnapshots", "ModifySnapshotAttribute",
             "DescribeLaunchTemplateVersions", "DescribeLaunchTemplates", "DescribeNetworkInterfaces"]),
    ("backup", ["ListBackupVaults", "ListRecoveryPointsByBackupVault", "StartCopyJob",
                "DescribeCopyJob", "GetBackupVaultAccessPolicy", "CreateBackupVault",
                "ListCopyJobs", "StartBackupJob", "DescribeBackupJob"]),
    ("organizations", ["ListAccounts", "DescribeOrganization"]),
    ("service-quotas", ["GetServiceQuota", "ListServiceQuotas", "GetAWSDefaultServiceQuota"]),
    ("cloudformation", ["DescribeStacks", "ValidateTemplate"]),
]

# Must match model_tables.h.
PROTOCOLS = {"rest-json": "AWS_PROTO_REST_JSON", "json": "AWS_PROTO_JSON",
             "query": "AWS_PROTO_QUERY", "ec2": "AWS_PROTO_EC2"}
TYPES = {"structure": "SH_STRUCT", "list": "SH_LIST", "map": "SH_MAP", "string": "SH_STRING",
         "integer": "SH_INTEGER", "long": "SH_LONG", "boolean": "SH_BOOLEAN",
         "double": "SH_DOUBLE", "float": "SH_DOUBLE", "timestamp": "SH_TIMESTAMP",
         "blob": "SH_BLOB"}
TSFMT = {None: "TS_DEFAULT", "iso8601": "TS_ISO8601", "unixTimestamp": "TS_EPOCH",
         "rfc822": "TS_RFC822"}
LOCATIONS = {None: "LOC_BODY", "uri": "LOC_URI", "querystring": "LOC_QUERY",
             "header": "LOC_HEADER", "headers": "LOC_HEADERS", "statusCode": "LOC_STATUS"}
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"]

# botocore.xform_name with sep='-' (botocore/__init__.py), reimplemented
# because this script must not import botocore.
_first_cap = re.compile('(.)([A-Z][a-z]+)')
_end_cap = re.compile('([a-z0-9])([A-Z])')
_special = re.compile('[A-Z]{2,}s$')


def kebab(name):
    m = _special.search(name)
    if m:
        name = name[:-len(m.group())] + "-" + m.group().lower()
    s1 = _first_cap.sub(r'\1-\2', name)
    return _end_cap.sub(r'\1-\2', s1).lower()


def find_botocore():
    try:
        out = subprocess.check_output(
            [sys.executable, "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"],
            text=True)
    except (OSError, subprocess.CalledProcessError):
        sys.exit("gen_models: botocore not importable; pass --botocore-dir")
    return os.path.join(out.strip(), "data")


def load_json(path):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rt", encoding="utf-8") as f:
            return json.load(f)
    return None


class Pool:
    """One string pool per service; offset 0 is the empty string (= absent)."""

    def __init__(self):
        self.data = bytearray(b"\0")
        self.index = {"": 0}

    def add(self, s):
        if s is None or s == "":
            return 0
        if s not in self.index:
            self.index[s] = len(self.data)
            self.data += s.encode("utf-8") + b"\0"
        return self.index[s]


def c_string_lines(data):
    """The pool as concatenated C string literals, 76 columns each."""
    lines, cur = [], ""
    for b in data[:-1]:  # the array's own terminator supplies the final NUL
        if b == 0:
            ch = "\\0"
        elif b in (0x22, 0x5c):
            ch = "\\" + chr(b)
        elif 0x20 <= b < 0x7f:
            ch = chr(b)
        else:
            ch = "\\%03o" % b
        # An octal escape followed by a digit would absorb it; \0 is always
        # written as a three-digit escape when a digit follows.
        if cur.endswith("\\0") and ch.isdigit():
            cur = cur[:-2] + "\\000"
        cur += ch
        if len(cur) >= 76:
            lines.append('"%s"' % cur)
            cur = ""
    if cur or not lines:
        lines.append('"%s"' % cur)
    return lines


def ident(name):
    return re.sub(r'[^a-z0-9]', '_', name.lower())


class Gen:
    def __init__(self, cli, model, pag, ops_wanted):
        self.cli = cli
        self.m = model
        self.meta = model["metadata"]
        self.proto = self.meta["protocol"]
        self.pag = (pag or {}).get("pagination", {})
        names = sorted(model["operations"]) if ops_wanted is None else list(ops_wanted)
        for n in names:
            if n not in model["operations"]:
                sys.exit("gen_models: %s has no operation %s" % (cli, n))
        self.op_names = sorted(names)
        self.pool = Pool()
        self.shape_index = {}  # shape name -> index
        self.shape_order = []
        self.notes = []

    # Shapes are numbered in breadth-first order from the operations so the
    # output is deterministic; members are laid out after numbering.
    def collect(self):
        queue = []

        def visit(name):
            if name not in self.shape_index:
                self.shape_index[name] = len(self.shape_order)
                self.shape_order.append(name)
                queue.append(name)

        for op in self.op_names:
            o = self.m["operations"][op]
            for k in ("input", "output"):
                if k in o:
                    visit(o[k]["shape"])
        while queue:
            s = self.m["shapes"][queue.pop(0)]
            if s["type"] == "structure":
                for mname in sorted(s.get("members", {})):
                    visit(s["members"][mname]["shape"])
            elif s["type"] == "list":
                visit(s["member"]["shape"])
            elif s["type"] == "map":
                visit(s["key"]["shape"])
                visit(s["value"]["shape"])
        if len(self.shape_order) >= 0xffff:
            sys.exit("gen_models: too many shapes in %s" % self.cli)

    def member_row(self, name, ref, required, owner):
        target = self.m["shapes"][ref["shape"]]
        flags = []
        if required:
            flags.append("MF_REQUIRED")
        if ref.get("idempotencyToken"):
            flags.append("MF_IDEMPOTENCY")
        if ref.get("jsonvalue") or target.get("jsonvalue"):
            flags.append("MF_JSONVALUE")
        if ref.get("flattened") or target.get("flattened"):
            flags.append("MF_FLATTENED")
        if owner.get("payload") == name:
            flags.append("MF_PAYLOAD")
        if ref.get("streaming") or target.get("streaming"):
            flags.append("MF_STREAMING")
        if ref.get("xmlAttribute"):
            flags.append("MF_XMLATTR")
        loc = ref.get("location")
        if loc not in LOCATIONS:
            sys.exit("gen_models: unknown location %r" % loc)
        wire = ref.get("locationName")
        qname = None
        if self.proto == "ec2":
            # botocore EC2Serializer._get_serialized_name
            if "queryName" in ref:
                qname = ref["queryName"]
            elif wire:
                qname = wire[0].upper() + wire[1:]
            elif name:
                qname = name[0].upper() + name[1:]
        ts = ref.get("timestampFormat", target.get("timestampFormat"))
        return (self.pool.add(name), self.pool.add(wire if wire != name else None),
                self.pool.add(qname if qname != (wire or name) else None),
                self.shape_index[ref["shape"]], LOCATIONS[loc],
                "|".join(flags) or "0", TSFMT[ts])

    def build(self):
        self.collect()
        self.shapes = []
        self.members = []
        for sname in self.shape_order:
            s = self.m["shapes"][sname]
            t = s["type"]
            if t not in TYPES:
                sys.exit("gen_models: %s: unsupported shape type %s" % (sname, t))
            sflags = []
            if sname == "policyDocumentType":
                sflags.append("SF_POLICYDOC")  # botocore handlers.json_decode_policies
            if s.get("union"):
                sflags.append("SF_UNION")
            if s.get("document"):
                sys.exit("gen_models: document shapes are not supported (%s)" % sname)
            first = len(self.members)
            if t == "structure":
                req = set(s.get("required", []))
                for mname in sorted(s.get("members", {})):
                    self.members.append(self.member_row(mname, s["members"][mname],
                                                        mname in req, s))
            elif t == "list":
                self.members.append(self.member_row("member", s["member"], False, s))
                if s.get("flattened"):
                    sflags.append("SF_FLATTENED")
            elif t == "map":
                self.members.append(self.member_row("key", s["key"], False, s))
                self.members.append(self.member_row("value", s["value"], False, s))
                if s.get("flattened"):
                    sflags.append("SF_FLATTENED")
            n = len(self.members) - first
            self.shapes.append((TYPES[t], "|".join(sflags) or "0",
                                TSFMT[s.get("timestampFormat")], n, first, sname))
        if len(self.members) >= 0xffff:
            sys.exit("gen_models: too many members in %s" % self.cli)
        self.ops = []
        for op in self.op_names:
            o = self.m["operations"][op]
            http = o.get("http", {})
            method = http.get("method", "POST")
            if method not in METHODS:
                sys.exit("gen_models: %s: method %s" % (op, method))
            inp = self.shape_index[o["input"]["shape"]] if "input" in o else 0xffff
            out = self.shape_index[o["output"]["shape"]] if "output" in o else 0xffff
            wrapper = o.get("output", {}).get("resultWrapper")
            p = self.pag.get(op)
            pin = pout = plim = pres = 0
            pflags = []
            if p:
                def first(v, what):
                    if isinstance(v, list):
                        if len(v) > 1:
                            pflags.append("PF_MULTI")
                            self.notes.append("%s.%s: %s has %d entries; keeping %s" %
                                              (self.cli, op, what, len(v), v[0]))
                        return v[0] if v else None
                    return v
                pin = self.pool.add(first(p.get("input_token"), "input_token"))
                pout = self.pool.add(first(p.get("output_token"), "output_token"))
                plim = self.pool.add(p.get("limit_key"))
                pres = self.pool.add(first(p.get("result_key"), "result_key"))
            self.ops.append((self.pool.add(op), self.pool.add(kebab(op)),
                             "M_" + method, self.pool.add(http.get("requestUri", "/")),
                             http.get("responseCode", 200), inp, out, self.pool.add(wrapper),
                             pin, pout, plim, pres, "|".join(pflags) or "0"))
        meta = self.meta
        self.info = dict(
            name=self.pool.add(self.cli),
            endpoint_prefix=self.pool.add(meta["endpointPrefix"]),
            signing_name=self.pool.add(meta.get("signingName", meta["endpointPrefix"])),
            env_name=self.pool.add(meta["serviceId"].upper().replace(" ", "_")),
            service_id=self.pool.add(meta["serviceId"]),
            api_version=self.pool.add(meta["apiVersion"]),
            target_prefix=self.pool.add(meta.get("targetPrefix") if self.proto == "json" else None),
            json_version=self.pool.add(meta.get("jsonVersion") if self.proto in ("json",) else None),
            global_endpoint=self.pool.add(meta.get("globalEndpoint")),
        )

    def emit(self, version):
        idn = ident(self.cli)
        w = []
        w.append("/*")
        w.append(" * %s.c - operation and shape tables for %s (botocore %s/%s)." %
                 (idn, self.cli, self.cli, version))
        w.append(" * generated by tools/gen_models.py, do not edit (run `make regen`).")
        for note in self.notes:
            w.append(" * note: %s" % note)
        w.append(" */")
        w.append('#include "aws/model_tables.h"')
        w.append("")
        w.append("static const char pool[] =")
        lines = c_string_lines(self.pool.data)
        for i, ln in enumerate(lines):
            w.append("    " + ln + (";" if i == len(lines) - 1 else ""))
        w.append("")
        w.append("static const struct aws_shape_def shapes[] = {")
        for i, (t, fl, ts, n, first, sname) in enumerate(self.shapes):
            w.append("    {%s, %s, %s, %d, %d}, /* %d %s */" % (t, fl, ts, n, first, i, sname))
        w.append("};")
        w.append("")
        w.append("static const struct aws_member_def members[] = {")
        for (name, wire, qn, shape, loc, fl, ts) in self.members:
            w.append("    {%d, %d, %d, %d, %s, %s, %s}," % (name, wire, qn, shape, loc, fl, ts))
        w.append("};")
        w.append("")
        w.append("static const struct aws_op_model ops[] = {")
        for o in self.ops:
            w.append("    {&aws_svc_%s, %d, %d, %s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s}," %
                     ((idn,) + o))
        w.append("};")
        w.append("")
        i = self.info
        w.append("const struct aws_service_model aws_svc_%s = {" % idn)
        w.append("    pool, shapes, members, ops, %d, %d, %s," %
                 (len(self.ops), len(self.shapes), PROTOCOLS[self.proto]))
        w.append("    %d, %d, %d, %d, %d, %d, %d, %d, %d," % (
            i["name"], i["endpoint_prefix"], i["signing_name"], i["env_name"], i["service_id"],
            i["api_version"], i["target_prefix"], i["json_version"], i["global_endpoint"]))
        w.append("};")
        return "\n".join(w) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--botocore-dir", help="botocore data directory (default: installed botocore)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "src", "aws", "models"))
    args = ap.parse_args()
    data = args.botocore_dir or find_botocore()
    os.makedirs(args.out, exist_ok=True)
    written = []
    for cli, ops in SERVICES:
        sdir = os.path.join(data, cli)
        versions = sorted(v for v in os.listdir(sdir) if os.path.isdir(os.path.join(sdir, v)))
        if not versions:
            sys.exit("gen_models: no model for %s in %s" % (cli, data))
        ver = versions[-1]
        model = load_json(os.path.join(sdir, ver, "service-2.json"))
        pag = load_json(os.path.join(sdir, ver, "paginators-1.json"))
        if model is None:
            sys.exit("gen_models: %s/%s has no service-2.json" % (cli, ver))
        g = Gen(cli, model, pag, ops)
        g.build()
        fname = ident(cli) + ".c"
        with open(os.path.join(args.out, fname), "w", encoding="utf-8", newline="\n") as f:
            f.write(g.emit(ver))
        written.append((cli, len(g.ops), len(g.shapes), len(g.members), len(g.pool.data)))
    idx = ["/*", " * index.c - the list of generated service tables, in lookup order.",
           " * generated by tools/gen_models.py, do not edit (run `make regen`).", " */",
           '#include "aws/model_tables.h"', "",
           "const struct aws_service_model *const aws_model_services[] = {"]
    for cli, _ in SERVICES:
        idx.append("    &aws_svc_%s," % ident(cli))
    idx += ["    NULL,", "};", ""]
    with open(os.path.join(args.out, "index.c"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(idx))
    for cli, nops, nsh, nmem, npool in written:
        print("gen_models: %-15s %3d ops %4d shapes %5d members %6d pool bytes" %
              (cli, nops, nsh, nmem, npool))


if __name__ == "__main__":
    main()
