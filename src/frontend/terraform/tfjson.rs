//! Terraform JSON syntax (`*.tf.json`) rewritten as HCL, so one evaluator and mapper read both.
//!
//! The JSON is parsed with its spans ([`crate::frontend::arm::json`]) and written out as the
//! equivalent native syntax: `{"resource": {"t": {"n": {...}}}}` becomes `resource "t" "n" {}`,
//! strings stay string templates (`"${var.x}"`), as Terraform reads them. Every piece written
//! records the JSON range it came from ([`Derived`]), so findings on the rewritten text are
//! moved back into the user's `.tf.json` ([`crate::source::SourceMap::original`]).
//!
//! Which JSON objects are nested blocks and which are object values depends on the provider
//! schema, which agwlint does not have. Inside `resource` and `data` bodies an object (or an
//! array of objects) is a nested block, except under the attribute names of
//! [`OBJECT_ATTRIBUTES`], which take maps and objects.

use std::ops::Range;

use crate::frontend::arm::json::{JKind, JNode, JProp};
use crate::source::Derived;
use crate::source::FileId;

/// Attributes of the resources agwlint maps (and meta-arguments) whose value is a map or an
/// object rather than a nested block.
const OBJECT_ATTRIBUTES: &[&str] = &[
    "tags",
    "app_settings",
    "body",
    "headers",
    "for_each",
    "triggers",
    "output",
    "response_export_values",
    "parameters",
    "settings",
    "protected_settings",
    "labels",
    "annotations",
];

/// What a body holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `resource`, `data`, `provider` and nested blocks: objects are blocks.
    Resource,
    /// `dynamic "x"`: `for_each`, `iterator`, `labels`, and a `content` block.
    Dynamic,
    /// `module`, `output`, `locals`, `required_providers`, `backend`: attributes only.
    Attributes,
    /// `variable`: `type` is a type expression written as a string.
    Variable,
    /// `terraform`: `required_providers`, `backend "x"`, `cloud` blocks.
    Terraform,
}

/// The HCL text of a Terraform JSON document and where its pieces come from.
pub struct Converted {
    /// The native-syntax text.
    pub text: String,
    /// Pieces of `text` and their JSON ranges.
    pub derived: Derived,
}

struct Writer {
    out: String,
    of: FileId,
    pieces: Vec<(Range<usize>, FileId, Range<usize>)>,
}

impl Writer {
    fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn mapped(&mut self, s: &str, from: Range<usize>) {
        let start = self.out.len();
        self.out.push_str(s);
        self.pieces.push((start..self.out.len(), self.of, from));
    }
}

fn range(n: &JNode) -> Range<usize> {
    n.span.start as usize..n.span.end as usize
}

fn key_range(p: &JProp) -> Range<usize> {
    p.key_span.start as usize..p.key_span.end as usize
}

/// The first byte of a JSON node (its `{` or `[`).
fn open_range(n: &JNode) -> Range<usize> {
    let s = n.span.start as usize;
    s..s + 1
}

/// The last byte of a JSON node (its `}` or `]`).
fn close_range(n: &JNode) -> Range<usize> {
    let e = n.span.end as usize;
    e.saturating_sub(1)..e
}

/// The objects of a value that may be an object or an array of objects.
fn objects(n: &JNode) -> Vec<&JNode> {
    match &n.kind {
        JKind::Object(_) => vec![n],
        JKind::Array(items) => items
            .iter()
            .filter(|i| matches!(i.kind, JKind::Object(_)))
            .collect(),
        _ => Vec::new(),
    }
}

fn props(n: &JNode) -> &[JProp] {
    match &n.kind {
        JKind::Object(p) => p,
        _ => &[],
    }
}

/// True for a name that can be written as an HCL identifier.
fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A string as an HCL quoted template (template sequences `${` and `%{` are kept: Terraform
/// reads JSON strings as templates).
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A label: the key as a quoted string without template sequences.
fn label_text(s: &str) -> String {
    quoted(&s.replace("${", "$${").replace("%{", "%%{"))
}

/// Rewrites a parsed Terraform JSON document as native syntax. `of` is the JSON file.
pub fn to_hcl(root: &JNode, of: FileId) -> Converted {
    let mut w = Writer {
        out: String::new(),
        of,
        pieces: Vec::new(),
    };
    for p in props(root) {
        match p.key.as_str() {
            "resource" | "data" => {
                for o in objects(&p.value) {
                    for t in props(o) {
                        for n in objects(&t.value).into_iter().flat_map(props) {
                            for body in objects(&n.value) {
                                block(&mut w, &p.key, &[t, n], body, Kind::Resource);
                            }
                        }
                    }
                }
            }
            "module" | "variable" | "output" | "provider" => {
                let kind = match p.key.as_str() {
                    "provider" => Kind::Resource,
                    "variable" => Kind::Variable,
                    _ => Kind::Attributes,
                };
                for o in objects(&p.value) {
                    for n in props(o) {
                        for body in objects(&n.value) {
                            block(&mut w, &p.key, &[n], body, kind);
                        }
                    }
                }
            }
            "locals" => {
                for body in objects(&p.value) {
                    block(&mut w, "locals", &[], body, Kind::Attributes);
                }
            }
            "terraform" => {
                for body in objects(&p.value) {
                    block(&mut w, "terraform", &[], body, Kind::Terraform);
                }
            }
            _ => {}
        }
    }
    Converted {
        text: w.out,
        derived: Derived {
            of,
            pieces: w.pieces,
        },
    }
}

/// A block `ident "label"... { body }`: the identifier and labels map to the last label's key
/// (or the object's `{`), the braces to the object's braces.
fn block(w: &mut Writer, ident: &str, labels: &[&JProp], body: &JNode, kind: Kind) {
    let head = labels
        .last()
        .map_or_else(|| open_range(body), |l| key_range(l));
    w.mapped(ident, head.clone());
    for l in labels {
        w.raw(" ");
        w.mapped(&label_text(&l.key), key_range(l));
    }
    w.raw(" ");
    w.mapped("{", open_range(body));
    w.raw("\n");
    block_body(w, body, kind);
    w.mapped("}", close_range(body));
    w.raw("\n");
}

fn block_body(w: &mut Writer, body: &JNode, kind: Kind) {
    for p in props(body) {
        let key = p.key.as_str();
        if key == "//" || !is_ident(key) {
            continue;
        }
        match kind {
            Kind::Resource => match key {
                "dynamic" => {
                    for o in objects(&p.value) {
                        for n in props(o) {
                            for b in objects(&n.value) {
                                block(w, "dynamic", &[n], b, Kind::Dynamic);
                            }
                        }
                    }
                }
                // Lifecycle, provisioners and references as strings are not read.
                "lifecycle" | "provisioner" | "connection" | "depends_on" | "provider" => {}
                _ if !OBJECT_ATTRIBUTES.contains(&key) && !objects(&p.value).is_empty() => {
                    for (i, b) in objects(&p.value).into_iter().enumerate() {
                        // Each element of an array of blocks starts at its own `{`.
                        let head = if i == 0 && matches!(p.value.kind, JKind::Object(_)) {
                            key_range(p)
                        } else {
                            open_range(b)
                        };
                        w.mapped(key, head);
                        w.raw(" ");
                        w.mapped("{", open_range(b));
                        w.raw("\n");
                        block_body(w, b, Kind::Resource);
                        w.mapped("}", close_range(b));
                        w.raw("\n");
                    }
                }
                _ => attribute(w, p),
            },
            Kind::Dynamic => match key {
                "content" => {
                    for b in objects(&p.value) {
                        block(w, "content", &[], b, Kind::Resource);
                    }
                }
                _ => attribute(w, p),
            },
            Kind::Attributes => match key {
                "depends_on" | "providers" => {}
                _ => attribute(w, p),
            },
            Kind::Variable => match (key, &p.value.kind) {
                ("type", JKind::Str(t)) => {
                    w.mapped(key, key_range(p));
                    w.raw(" = ");
                    // A type expression; anything else is left out (the type is then any).
                    if t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_(){}[],=: \n\t".contains(c))
                    {
                        w.mapped(t, range(&p.value));
                    } else {
                        w.mapped("any", range(&p.value));
                    }
                    w.raw("\n");
                }
                ("validation", _) => {}
                _ => attribute(w, p),
            },
            Kind::Terraform => match key {
                "required_providers" | "cloud" => {
                    for b in objects(&p.value) {
                        block(w, key, &[], b, Kind::Attributes);
                    }
                }
                "backend" => {
                    for o in objects(&p.value) {
                        for n in props(o) {
                            for b in objects(&n.value) {
                                block(w, "backend", &[n], b, Kind::Attributes);
                            }
                        }
                    }
                }
                _ => attribute(w, p),
            },
        }
    }
}

/// `key = value` on one line.
fn attribute(w: &mut Writer, p: &JProp) {
    w.mapped(&p.key, key_range(p));
    w.raw(" = ");
    expression(w, &p.value);
    w.raw("\n");
}

/// A JSON value as an expression: strings are templates, arrays tuples, objects object
/// constructors (keys as quoted strings).
fn expression(w: &mut Writer, n: &JNode) {
    match &n.kind {
        JKind::Null => w.mapped("null", range(n)),
        JKind::Bool(b) => w.mapped(if *b { "true" } else { "false" }, range(n)),
        JKind::Number(x) => w.mapped(x, range(n)),
        JKind::Str(s) => w.mapped(&quoted(s), range(n)),
        JKind::Array(items) => {
            w.mapped("[", open_range(n));
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.raw(", ");
                }
                expression(w, item);
            }
            w.mapped("]", close_range(n));
        }
        JKind::Object(ps) => {
            w.mapped("{", open_range(n));
            for (i, p) in ps.iter().enumerate() {
                if p.key == "//" {
                    continue;
                }
                if i > 0 {
                    w.raw(", ");
                }
                w.mapped(&label_text(&p.key), key_range(p));
                w.raw(" = ");
                expression(w, &p.value);
            }
            w.mapped("}", close_range(n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceMap, Span};

    #[test]
    fn resources_blocks_and_values_map_back_to_the_json() {
        let json = r#"{
  "variable": {"cap": {"type": "number", "default": 2}},
  "resource": {
    "azurerm_application_gateway": {
      "gw": {
        "name": "agw-${var.cap}",
        "sku": {"name": "Standard_v2", "capacity": "${var.cap}"},
        "frontend_port": [{"name": "p80", "port": 80}, {"name": "p443", "port": 443}],
        "tags": {"env": "dev"},
        "dynamic": {"probe": {"for_each": [], "content": {"name": "x"}}}
      }
    }
  }
}"#;
        let sources = SourceMap::new();
        let of = sources.add("main.tf.json", json);
        let doc = crate::frontend::arm::json::parse(json, of).unwrap();
        let c = to_hcl(&doc.root, of);
        let body =
            hcl::edit::parser::parse_body(&c.text).unwrap_or_else(|e| panic!("{e}\n{}", c.text));
        let gw = body
            .blocks()
            .find(|b| b.ident.as_str() == "resource")
            .unwrap();
        assert_eq!(
            gw.body
                .blocks()
                .filter(|b| b.ident.as_str() == "frontend_port")
                .count(),
            2
        );
        assert!(gw.body.get_attribute("tags").is_some());
        assert!(gw.body.blocks().any(|b| b.ident.as_str() == "dynamic"));
        let derived = sources.add_derived("main.tf.json", &c.text, c.derived);
        // The capacity value maps back onto the JSON string.
        let sku = gw
            .body
            .blocks()
            .find(|b| b.ident.as_str() == "sku")
            .unwrap();
        let cap = sku.body.get_attribute("capacity").unwrap();
        let r = hcl::edit::Span::span(&cap.value).unwrap();
        let back = sources.original(Span::new(derived, r));
        assert_eq!(back.file, of);
        assert_eq!(
            &json[back.start as usize..back.end as usize],
            "\"${var.cap}\""
        );
    }
}
