#!/usr/bin/env python3
"""Generates kube-apiserver/src/protobuf/schema.rs, the schema table behind
`kube_apiserver::protobuf::decode` (Kubernetes protobuf request bodies -> upstream JSON).

Inputs are upstream's Go sources at one release tag, v0.33.13 (Kubernetes 1.33, the API version
this server serves): the repositories kubernetes/api (Go module k8s.io/api) and
kubernetes/apimachinery (k8s.io/apimachinery).

From each package's generated.proto it takes the wire layout (messages, field numbers, proto
types, labels); from the package's Go types (types.go etc.) the JSON side of each field (JSON
name, `omitempty`, `,inline`, pointer or value), joined on the field number of the Go field's
`protobuf:"..."` tag. Kinds are the Go structs that embed metav1.TypeMeta, under the package's
GroupName and version.

Re-run from the workspace root with checkouts of both repositories at that tag, e.g. made with
`git clone --depth 1 --branch v0.33.13 <repository> <dir>/api` (and <dir>/apimachinery):
  python3 kube-apiserver/tools/gen_protobuf.py <dir>/api <dir>/apimachinery \
      kube-apiserver/src/protobuf/schema.rs
The script runs rustfmt on its output. Then `cargo test -p kube-apiserver protobuf`: among others,
`json_names_match_k8s_openapi` checks every field of ~50 kinds against k8s-openapi's JSON names.
Moving to a newer release: change the tag here and k8s-openapi's feature together.
"""

import os
import re
import subprocess
import sys

SCALARS = {
    "string": "Str",
    "bytes": "Bytes",
    "bool": "Bool",
    "int32": "I32",
    "int64": "I64",
}

META = "k8s.io.apimachinery.pkg.apis.meta.v1"
# Messages with their own JSON form (custom MarshalJSON upstream).
SPECIAL = {
    META + ".Time": "Time",
    META + ".MicroTime": "MicroTime",
    META + ".FieldsV1": "RawJson",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "RawJson",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
}
# Messages that must never be reached from a kind (their JSON is custom and not handled).
# (metav1.Duration is used by no k8s.io/api type; the decoder would need its Go string form.)
FORBIDDEN = {META + ".GroupVersion", META + ".Fields", META + ".Timestamp", META + ".Duration"}


def fail(msg):
    sys.exit("gen_protobuf: " + msg)


def parse_proto(path):
    """Returns (package, {message name: [(label, type, name, number)]})."""
    text = open(path).read()
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    pkg = re.search(r"^package ([\w.]+);", text, re.M).group(1)
    msgs = {}
    for m in re.finditer(r"^message (\w+) \{(.*?)^\}", text, re.M | re.S):
        fields = []
        for line in m.group(2).split(";"):
            line = " ".join(line.split())
            if not line:
                continue
            fm = re.fullmatch(r"(optional|repeated) ([\w.]+) (\w+) = (\d+)", line)
            mm = re.fullmatch(r"map<(\w+), ([\w.]+)> (\w+) = (\d+)", line)
            if fm:
                label, ty, name, num = fm.groups()
            elif mm:
                if mm.group(1) != "string":
                    fail(f"{pkg}.{m.group(1)}: map key {mm.group(1)}")
                label, ty, name, num = "map", mm.group(2), mm.group(3), mm.group(4)
            else:
                fail(f"{pkg}.{m.group(1)}: cannot parse field {line!r}")
            if ty not in SCALARS and ty[0].islower() and "." not in ty:
                fail(f"{pkg}.{m.group(1)}: unsupported proto type {ty}")
            if ty not in SCALARS:
                ty = ty[1:] if ty.startswith(".") else pkg + "." + ty
            fields.append((label, ty, name, int(num)))
        msgs[m.group(1)] = fields
    return pkg, msgs


FIELD_RE = re.compile(r"^\s*(?:(\w+)\s+)?([^\s`]+)\s+`([^`]*)`")


def parse_go(pkgdir):
    """Returns ({struct: [field dict]}, {named non-struct type: underlying}, group name)."""
    structs, named, group, imports = {}, {}, None, {}
    for fname in sorted(os.listdir(pkgdir)):
        if (
            not fname.endswith(".go")
            or fname.endswith("_test.go")
            or fname.startswith("zz_generated")
            or fname == "generated.pb.go"
        ):
            continue
        text = open(os.path.join(pkgdir, fname)).read()
        for alias, path in re.findall(r'^\s*(?:import\s+)?(\w+)?\s*"(k8s\.io/[\w./-]+)"', text, re.M):
            imports[alias or path.split("/")[-1]] = path
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            g = re.match(r'^const GroupName = "([^"]*)"', line)
            if g:
                group = g.group(1)
            if re.match(r"^type (\w+) struct\s*\{\s*\}", line):
                structs[line.split()[1]] = []
                i += 1
                continue
            sm = re.match(r"^type (\w+) struct \{\s*$", line)
            if sm:
                fields = []
                i += 1
                while not lines[i].startswith("}"):
                    body = lines[i].strip()
                    i += 1
                    if not body or body.startswith("//"):
                        continue
                    fm = FIELD_RE.match(body)
                    if not fm:
                        continue
                    name, gotype, tag = fm.groups()
                    js = re.search(r'json:"([^"]*)"', tag)
                    pb = re.search(r'protobuf:"([^"]*)"', tag)
                    jparts = js.group(1).split(",") if js else [""]
                    anonymous = name is None
                    jname = jparts[0]
                    inline = "inline" in jparts[1:] or (anonymous and jname == "")
                    if not inline and jname == "":
                        jname = name or gotype.split(".")[-1]
                    number = None
                    if pb and pb.group(1) != "-":
                        number = int(pb.group(1).split(",")[1])
                    fields.append(
                        {
                            "go_type": gotype,
                            "json": jname,
                            "omitempty": "omitempty" in jparts[1:],
                            "inline": inline,
                            "number": number,
                        }
                    )
                structs[sm.group(1)] = fields
                continue
            tm = re.match(r"^type (\w+) (\S.*?)\s*$", line)
            if tm:
                named[tm.group(1)] = tm.group(2)
            i += 1
    return structs, named, group, imports


def main():
    if len(sys.argv) != 4:
        fail("usage: gen_protobuf.py K8S_IO_API_DIR K8S_IO_APIMACHINERY_DIR OUT.rs")
    api, machinery, out_path = sys.argv[1:]
    pkgdirs = [os.path.join(machinery, "pkg/apis/meta/v1")]
    for grp in sorted(os.listdir(api)):
        gdir = os.path.join(api, grp)
        if not os.path.isdir(gdir):
            continue
        for ver in sorted(os.listdir(gdir)):
            if os.path.isfile(os.path.join(gdir, ver, "generated.proto")):
                pkgdirs.append(os.path.join(gdir, ver))

    gopkgs = {pkgdir: parse_go(pkgdir) for pkgdir in pkgdirs}

    def import_dir(path):
        for prefix, root in (("k8s.io/api/", api), ("k8s.io/apimachinery/", machinery)):
            if path.startswith(prefix):
                return os.path.join(root, path[len(prefix) :])
        return None

    messages = {}  # fqn -> (go kind, data)
    kinds = []  # (apiVersion, kind, fqn)
    for pkgdir in pkgdirs:
        pkg, pmsgs = parse_proto(os.path.join(pkgdir, "generated.proto"))
        structs, named, group, imports = gopkgs[pkgdir]
        structs = dict(structs)
        # `type X otherpkg.Y` (a defined type over another package's struct)
        for tname, under in named.items():
            m = re.fullmatch(r"(\w+)\.(\w+)", under)
            if tname in pmsgs and m and m.group(1) in imports:
                other = gopkgs.get(import_dir(imports[m.group(1)]))
                if other and m.group(2) in other[0]:
                    structs[tname] = other[0][m.group(2)]
        if group is None:
            fail(f"{pkgdir}: no GroupName")
        version = os.path.basename(pkgdir)
        api_version = f"{group}/{version}" if group else version
        for mname, pfields in pmsgs.items():
            fqn = f"{pkg}.{mname}"
            if fqn in SPECIAL or fqn in FORBIDDEN:
                continue
            if mname in structs:
                gofields = structs[mname]
                by_num = {f["number"]: f for f in gofields if f["number"] is not None}
                out = []
                for label, ty, pname, num in pfields:
                    gf = by_num.get(num)
                    if gf is None:
                        fail(f"{fqn}: proto field {pname} = {num} has no Go field")
                    out.append((label, ty, pname, num, gf))
                if len(by_num) != len(pfields):
                    fail(f"{fqn}: Go and proto fields differ")
                messages[fqn] = ("struct", out)
                if any(f["go_type"].endswith("TypeMeta") and f["inline"] for f in gofields):
                    kinds.append((api_version, mname, fqn))
            elif named.get(mname) == "[]string":
                if pfields != [("repeated", "string", "items", 1)]:
                    fail(f"{fqn}: unexpected string-list wrapper layout")
                messages[fqn] = ("strlist", None)
            else:
                fail(f"{fqn}: no Go struct")

    # Keep only what a kind reaches.
    reach, todo = set(), [k[2] for k in kinds]
    while todo:
        fqn = todo.pop()
        if fqn in reach:
            continue
        if fqn in FORBIDDEN:
            fail(f"{fqn} is reachable")
        if fqn in SPECIAL or fqn not in messages:
            if fqn not in SPECIAL:
                fail(f"unknown message {fqn}")
            continue
        reach.add(fqn)
        kind, data = messages[fqn]
        if kind == "struct":
            todo.extend(ty for _, ty, _, _, _ in data if ty not in SCALARS)
    order = sorted(f for f in reach if messages[f][0] == "struct")
    index = {f: i for i, f in enumerate(order)}
    if len(order) > 65535:
        fail("too many messages")

    def ty_of(ty):
        if ty in SCALARS:
            return SCALARS[ty]
        if ty in SPECIAL:
            return SPECIAL[ty]
        if messages[ty][0] == "strlist":
            return "StrList"
        return f"Msg({index[ty]})"

    out = []
    w = out.append
    w("// @generated by kube-apiserver/tools/gen_protobuf.py from k8s.io/api and")
    w("// k8s.io/apimachinery (see that script for how to re-run it). Do not edit.")
    w("")
    w("use super::{Card::*, Field, Message, Ty::*};")
    w("")
    w("const fn f(tag: u32, json: &'static str, ty: super::Ty, card: super::Card, flags: u8) -> Field {")
    w("    Field { tag, json, ty, card, flags }")
    w("}")
    w("")
    w("const fn m(name: &'static str, fields: &'static [Field]) -> Message {")
    w("    Message { name, fields }")
    w("}")
    w("")
    w("const P: u8 = super::PTR;")
    w("const O: u8 = super::OMIT;")
    w("const I: u8 = super::INLINE;")
    w("")
    w("pub(super) static MESSAGES: &[Message] = &[")
    short = lambda f: f.replace("k8s.io.apimachinery.pkg.apis.", "").replace("k8s.io.api.", "")
    for i, fqn in enumerate(order):
        data = sorted(messages[fqn][1], key=lambda x: x[3])
        w(f"    // {i}")
        w(f'    m("{short(fqn)}", &[')
        for label, ty, pname, num, gf in data:
            card = {"optional": "One", "repeated": "Rep", "map": "Map"}[label]
            flags = []
            if gf["go_type"].startswith("*"):
                flags.append("P")
            if gf["omitempty"]:
                flags.append("O")
            if gf["inline"]:
                if label != "optional" or ty in SCALARS or ty in SPECIAL:
                    fail(f"{fqn}.{pname}: inline field is not a message")
                flags.append("I")
            json = "" if gf["inline"] else gf["json"]
            if json == "-":
                json = ""
            w(f'        f({num}, "{json}", {ty_of(ty)}, {card}, {" | ".join(flags) or "0"}),')
        w("    ]),")
    w("];")
    w("")
    w("/// (apiVersion, kind, message), sorted.")
    w("pub(super) static KINDS: &[(&str, &str, u16)] = &[")
    for av, k, fqn in sorted(kinds):
        w(f'    ("{av}", "{k}", {index[fqn]}),')
    w("];")
    with open(out_path, "w") as f:
        f.write("\n".join(out) + "\n")
    subprocess.run(["rustfmt", "--edition", "2024", out_path], check=True)


main()
