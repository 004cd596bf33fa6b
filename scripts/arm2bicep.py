#!/usr/bin/env python3
"""Writes the Bicep twin of an ARM rule fixture: `fail.json` -> `fail.bicep`.

Only for agwlint's own fixtures (classic ARM templates with parameters, variables, resources
and nested child resources, using `parameters()`, `variables()`, `resourceId()`, `reference()`,
`format()`, `concat()`, `resourceGroup()`): a mechanical translation a Bicep author could have
written, so each `.bicep` twin must give the same rule IDs as its JSON template (checked by
tests/fixtures_bicep.rs). Exits non-zero (writing nothing) for a template it cannot translate.

Usage: scripts/arm2bicep.py testdata/rules/AGW001/fail.json [...]
"""

import json
import re
import sys

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FUNCS = {"parameters", "variables", "resourceId", "reference", "format", "concat",
         "resourceGroup", "subscription", "toLower", "toUpper", "uniqueString", "string", "int"}
KEYWORDS = {"resource", "module", "param", "var", "output", "type", "func", "import", "if", "for",
            "in", "true", "false", "null", "existing", "metadata", "targetScope"}


class Unsupported(Exception):
    pass


def bicep_str(s):
    s = s.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${")
    s = s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return "'" + s + "'"


def tokens(e):
    i, out = 0, []
    while i < len(e):
        c = e[i]
        if c.isspace():
            i += 1
        elif c == "'":
            j, buf = i + 1, ""
            while True:
                if j >= len(e):
                    raise Unsupported("unterminated string")
                if e[j] == "'":
                    if j + 1 < len(e) and e[j + 1] == "'":
                        buf += "'"
                        j += 2
                        continue
                    break
                buf += e[j]
                j += 1
            out.append(("str", buf))
            i = j + 1
        elif c.isalpha() or c == "_":
            j = i
            while j < len(e) and (e[j].isalnum() or e[j] == "_"):
                j += 1
            out.append(("id", e[i:j]))
            i = j
        elif c.isdigit() or (c == "-" and i + 1 < len(e) and e[i + 1].isdigit()):
            j = i + 1
            while j < len(e) and e[j].isdigit():
                j += 1
            out.append(("num", e[i:j]))
            i = j
        elif c in "(),.[]":
            out.append(("p", c))
            i += 1
        else:
            raise Unsupported("character " + c)
    return out


class Expr:
    def __init__(self, toks, names):
        self.t, self.i, self.names = toks, 0, names

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else ("eof", "")

    def take(self, kind=None, val=None):
        k, v = self.peek()
        if (kind and k != kind) or (val and v != val):
            raise Unsupported("expected %s %s, got %s" % (kind, val, v))
        self.i += 1
        return v

    def expr(self):
        k, v = self.peek()
        if k == "str":
            self.take()
            out = bicep_str(v)
        elif k == "num":
            self.take()
            out = v
        elif k == "id":
            self.take()
            if v not in FUNCS:
                raise Unsupported("function " + v)
            self.take("p", "(")
            args = []
            while self.peek() != ("p", ")"):
                args.append(self.expr())
                if self.peek() == ("p", ","):
                    self.take()
            self.take("p", ")")
            if v in ("parameters", "variables"):
                name = args[0].strip("'")
                out = self.names.get((v, name.lower()))
                if out is None:
                    raise Unsupported("unknown name " + name)
            else:
                out = "%s(%s)" % (v, ", ".join(args))
        else:
            raise Unsupported("token " + v)
        while True:
            k, v = self.peek()
            if (k, v) == ("p", "."):
                self.take()
                out += "." + self.take("id")
            elif (k, v) == ("p", "["):
                self.take()
                idx = self.expr()
                self.take("p", "]")
                out += "[" + idx + "]"
            else:
                return out


def value(v, names, ind):
    pad = "  " * (ind + 1)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        if v.startswith("[[") or not (v.startswith("[") and v.endswith("]")):
            return bicep_str(v[1:] if v.startswith("[[") else v)
        x = Expr(tokens(v[1:-1]), names)
        out = x.expr()
        if x.peek()[0] != "eof":
            raise Unsupported("trailing tokens in " + v)
        return out
    if isinstance(v, list):
        if not v:
            return "[]"
        items = "".join(pad + value(i, names, ind + 1) + "\n" for i in v)
        return "[\n" + items + "  " * ind + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        lines = []
        for k, x in v.items():
            key = k if IDENT.match(k) and k not in KEYWORDS else bicep_str(k)
            lines.append(pad + key + ": " + value(x, names, ind + 1) + "\n")
        return "{\n" + "".join(lines) + "  " * ind + "}"
    raise Unsupported(repr(v))


def ident(name, used):
    base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "x"
    if base[0].isdigit():
        base = "_" + base
    if base in KEYWORDS:
        base += "_"
    out, n = base, 1
    while out in used:
        n += 1
        out = "%s%d" % (base, n)
    used.add(out)
    return out


def resource(r, names, used, ind, nested):
    if "copy" in r:
        raise Unsupported("copy")
    pad = "  " * ind
    sym = ident(r["type"].split("/")[-1], used)
    head = "%sresource %s '%s@%s' = " % (pad, sym, r["type"], r["apiVersion"])
    if "condition" in r:
        c = r["condition"]
        cond = value(c, names, ind) if isinstance(c, str) else ("true" if c else "false")
        head += "if (%s) " % cond
    lines = [head + "{\n"]
    for k, v in r.items():
        if k in ("type", "apiVersion", "dependsOn", "condition", "resources", "comments"):
            continue
        key = k if IDENT.match(k) and k not in KEYWORDS else bicep_str(k)
        lines.append("%s  %s: %s\n" % (pad, key, value(v, names, ind + 1)))
    for c in r.get("resources", []):
        if "/" in c["type"]:
            raise Unsupported("child resource with a full type")
        lines.append(resource(c, names, used, ind + 1, True))
    lines.append(pad + "}\n")
    return "".join(lines)


def convert(tpl):
    if isinstance(tpl.get("resources"), dict) or tpl.get("functions"):
        raise Unsupported("symbolic or functions")
    names, used, out = {}, set(), []
    for kind, section in (("parameters", "parameters"), ("variables", "variables")):
        for n in tpl.get(section, {}):
            if n == "copy":
                raise Unsupported("variable copy")
            names[(kind, n.lower())] = ident(n, used)
    for n, p in tpl.get("parameters", {}).items():
        t = p.get("type", "string").lower()
        decorators = ""
        if t in ("securestring", "secureobject"):
            decorators = "@secure()\n"
            t = "string" if t == "securestring" else "object"
        if "allowedValues" in p:
            decorators += "@allowed(%s)\n" % value(p["allowedValues"], names, 0)
        line = "%sparam %s %s" % (decorators, names[("parameters", n.lower())], t)
        if "defaultValue" in p:
            line += " = " + value(p["defaultValue"], names, 0)
        out.append(line + "\n")
    for n, v in tpl.get("variables", {}).items():
        out.append("var %s = %s\n" % (names[("variables", n.lower())], value(v, names, 0)))
    for r in tpl.get("resources", []):
        out.append("\n" + resource(r, names, used, 0, False))
    for n, o in tpl.get("outputs", {}).items():
        out.append("\noutput %s %s = %s\n" % (ident(n, used), o.get("type", "string").lower(),
                                              value(o.get("value"), names, 0)))
    return "".join(out)


def main():
    bad = 0
    for path in sys.argv[1:]:
        try:
            with open(path, encoding="utf-8-sig") as f:
                text = f.read()
            tpl = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
            bicep = convert(tpl)
        except (Unsupported, ValueError, KeyError) as e:
            print("%s: not translated: %s" % (path, e), file=sys.stderr)
            bad += 1
            continue
        out = re.sub(r"\.json$", ".bicep", path)
        with open(out, "w", encoding="utf-8") as f:
            f.write("// Bicep twin of %s (scripts/arm2bicep.py)\n" % path.rsplit("/", 1)[-1])
            f.write(bicep)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
