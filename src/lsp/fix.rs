//! Renders a finding's mechanical [`Fix`] (described by the rule from the model, without
//! syntax) as one text edit in the file's own syntax: ARM JSON, Bicep or Terraform, indented
//! like the surrounding lines. A fix whose place in the text is not what the model says (a
//! rule list that is not a literal array, a Bicep `for` loop, a one-line Bicep array, a
//! Terraform block whose closing brace shares a line) is not rendered: no edit rather than a
//! wrong one.

use crate::finding::{Finding, Fix, NewSecurityRule};
use crate::model::Dialect;
use crate::source::{SourceFile, SourceMap, Span};
use crate::suppress::{Syntax, syntax_of};

/// A text edit: replace `span` (empty for an insertion) with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The code action's title.
    pub title: String,
    /// The bytes replaced.
    pub span: Span,
    /// The new text.
    pub new_text: String,
}

/// The edit of a finding's fix, in the file of its primary span (`None` when it has no fix, or
/// the fix cannot be rendered safely in that file).
pub fn edit(f: &Finding, sources: &SourceMap) -> Option<Edit> {
    match f.fix.as_ref()? {
        Fix::AddSecurityRule(r) => {
            if r.into.file != f.primary.file {
                return None;
            }
            let file = sources.get(r.into.file)?;
            let syntax = syntax_of(&file.path)?;
            let (span, new_text) = match (syntax, r.dialect) {
                (Syntax::Json | Syntax::Bicep, Dialect::Arm) => in_array(&file, syntax, r)?,
                (Syntax::Hcl, Dialect::Terraform) => in_block(&file, r)?,
                _ => return None,
            };
            Some(Edit {
                title: format!(
                    "Add security rule {} (allow {} inbound on {} {}, priority {})",
                    r.name,
                    r.source_prefix,
                    r.protocol.to_ascii_uppercase(),
                    r.destination_ports,
                    r.priority
                ),
                span: Span::new(r.into.file, span.0..span.1),
                new_text,
            })
        }
    }
}

/// The blanks that start the line holding byte `at`.
fn indent_at(file: &SourceFile, at: usize) -> &str {
    let start = file.line_start(file.line_index(at));
    let line = file.text.get(start..).unwrap_or_default();
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    line.get(..n).unwrap_or_default()
}

/// True when only blanks precede byte `at` on its line.
fn starts_line(file: &SourceFile, at: usize) -> bool {
    let start = file.line_start(file.line_index(at));
    file.text
        .get(start..at)
        .is_some_and(|s| s.chars().all(|c| c == ' ' || c == '\t'))
}

/// The line break the file uses.
fn newline(file: &SourceFile) -> &'static str {
    if file.text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// One indentation step: what `inner` adds to `outer`, else a tab or two spaces after the
/// outer indentation's kind.
fn unit_of(outer: &str, inner: Option<&str>) -> String {
    match inner.and_then(|i| i.strip_prefix(outer)) {
        Some(step) if !step.is_empty() => step.to_string(),
        _ if outer.contains('\t') => "\t".into(),
        _ => "  ".into(),
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn bicep_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn hcl_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

/// The rule's properties as `(ARM name, Terraform name, value)`; the value is `Err` for a
/// number.
fn fields(r: &NewSecurityRule) -> [(&'static str, &'static str, Result<&str, i64>); 8] {
    [
        ("protocol", "protocol", Ok(&r.protocol)),
        ("sourcePortRange", "source_port_range", Ok(&r.source_ports)),
        (
            "destinationPortRange",
            "destination_port_range",
            Ok(&r.destination_ports),
        ),
        (
            "sourceAddressPrefix",
            "source_address_prefix",
            Ok(&r.source_prefix),
        ),
        (
            "destinationAddressPrefix",
            "destination_address_prefix",
            Ok(&r.destination_prefix),
        ),
        ("access", "access", Ok(&r.access)),
        ("priority", "priority", Err(r.priority)),
        ("direction", "direction", Ok(&r.direction)),
    ]
}

/// The rule as an ARM JSON or Bicep object, its first line unindented, the others indented by
/// `indent`.
fn object(r: &NewSecurityRule, syntax: Syntax, indent: &str, unit: &str, nl: &str) -> String {
    let json = syntax == Syntax::Json;
    let (quote, sep): (fn(&str) -> String, &str) = if json {
        (json_str, ",")
    } else {
        (bicep_str, "")
    };
    let key = |k: &str| if json { json_str(k) } else { k.to_string() };
    let (i1, i2) = (format!("{indent}{unit}"), format!("{indent}{unit}{unit}"));
    let mut out = format!("{{{nl}{i1}{}: {}{sep}{nl}", key("name"), quote(&r.name));
    out.push_str(&format!("{i1}{}: {{{nl}", key("properties")));
    let fs = fields(r);
    for (n, (arm, _, v)) in fs.iter().enumerate() {
        let v = match v {
            Ok(s) => quote(s),
            Err(n) => n.to_string(),
        };
        let sep = if n + 1 < fs.len() { sep } else { "" };
        out.push_str(&format!("{i2}{}: {v}{sep}{nl}", key(arm)));
    }
    out.push_str(&format!("{i1}}}{nl}{indent}}}"));
    out
}

/// ARM JSON and Bicep: the rule as a new element of the `securityRules` array, after its last
/// element (or as the only one).
fn in_array(
    file: &SourceFile,
    syntax: Syntax,
    r: &NewSecurityRule,
) -> Option<((usize, usize), String)> {
    let (start, end) = (r.into.start as usize, r.into.end as usize);
    let list = file.text.get(start..end)?;
    let inner = list.strip_prefix('[')?.strip_suffix(']')?;
    // A Bicep loop (`[for r in rules: {...}]`) is not a literal list.
    let head = inner.trim_start();
    if head
        .strip_prefix("for")
        .is_some_and(|rest| rest.starts_with(char::is_whitespace))
    {
        return None;
    }
    let nl = newline(file);
    let outer = indent_at(file, start);
    match r.after {
        Some(last) => {
            let last_start = last.start as usize;
            if !r.into.contains(&last) || !starts_line(file, last_start) {
                // A one-line array (`[ { ... } ]`): no indentation to follow; Bicep would also
                // need the array split over lines.
                return None;
            }
            let indent = indent_at(file, last_start);
            let unit = unit_of(outer, Some(indent));
            let obj = object(r, syntax, indent, &unit, nl);
            let comma = if syntax == Syntax::Json { "," } else { "" };
            let at = last.end as usize;
            Some(((at, at), format!("{comma}{nl}{indent}{obj}")))
        }
        None => {
            if !inner.trim().is_empty() {
                return None; // comments only: leave it to the user
            }
            let unit = unit_of(outer, None);
            let indent = format!("{outer}{unit}");
            let obj = object(r, syntax, &indent, &unit, nl);
            Some((
                (start + 1, end - 1),
                format!("{nl}{indent}{obj}{nl}{outer}"),
            ))
        }
    }
}

/// Terraform: the rule as a `security_rule` block before the closing brace of the
/// `azurerm_network_security_group` block, its `=` aligned as `terraform fmt` does.
fn in_block(file: &SourceFile, r: &NewSecurityRule) -> Option<((usize, usize), String)> {
    let (start, end) = (r.into.start as usize, r.into.end as usize);
    let block = file.text.get(start..end)?;
    if !block.ends_with('}') || block.contains("security_rule =") {
        return None;
    }
    let close = end - 1;
    if !starts_line(file, close) {
        return None;
    }
    let nl = newline(file);
    let outer = indent_at(file, close);
    // The indentation of the first attribute line after the header, if any.
    let open_line = file.line_index(start);
    let close_line = file.line_index(close);
    let inner = (open_line + 1..close_line).find_map(|l| {
        let s = file.line_start(l);
        let line = file.text.get(s..file.line_start(l + 1))?;
        (!line.trim().is_empty()).then(|| indent_at(file, s))
    });
    let unit = unit_of(outer, inner);
    let indent = format!("{outer}{unit}");
    let fs = fields(r);
    let width = fs
        .iter()
        .map(|(_, tf, _)| tf.len())
        .chain(std::iter::once("name".len()))
        .max()
        .unwrap_or(0);
    let line = |k: &str, v: String| format!("{indent}{unit}{k:<width$} = {v}{nl}");
    let mut out = String::new();
    // A blank line before the new block unless it follows the opening brace or a blank line.
    let line_start = file.line_start(close_line);
    let prev_line = close_line
        .checked_sub(1)
        .and_then(|l| file.text.get(file.line_start(l)..line_start))
        .unwrap_or_default();
    if !prev_line.trim().is_empty() && !prev_line.trim_end().ends_with('{') {
        out.push_str(nl);
    }
    out.push_str(&format!("{indent}security_rule {{{nl}"));
    out.push_str(&line("name", hcl_str(&r.name)));
    for (_, tf, v) in fs {
        let v = match v {
            Ok(s) => hcl_str(s),
            Err(n) => n.to_string(),
        };
        out.push_str(&line(tf, v));
    }
    out.push_str(&format!("{indent}}}{nl}"));
    Some(((line_start, line_start), out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/rules/AGW027");

    /// A fixture copy under the temporary directory, removed when dropped.
    struct Scratch {
        dir: PathBuf,
        path: PathBuf,
    }

    impl std::ops::Deref for Scratch {
        type Target = PathBuf;
        fn deref(&self) -> &PathBuf {
            &self.path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    /// A fresh directory holding a copy of fixture `name` (a file or a Terraform directory),
    /// its text changed by `change`; derefs to the path to lint.
    fn copy(name: &str, change: impl Fn(String) -> String) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "agwlint-fix-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let from = Path::new(FIXTURES).join(name);
        if from.is_dir() {
            let to = dir.join(name);
            std::fs::create_dir_all(&to).unwrap();
            for e in std::fs::read_dir(&from).unwrap().flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap();
                std::fs::write(to.join(e.file_name()), change(text)).unwrap();
            }
            Scratch { dir, path: to }
        } else {
            let to = dir.join(name);
            std::fs::write(&to, change(std::fs::read_to_string(&from).unwrap())).unwrap();
            Scratch { dir, path: to }
        }
    }

    /// The AGW027 findings of a lint of `path`, with the sources.
    fn agw027(path: &Path) -> (SourceMap, Vec<Finding>) {
        let sources = SourceMap::new();
        let report = crate::lint(
            &[path.to_path_buf()],
            &crate::LintOptions::default(),
            &sources,
        )
        .unwrap();
        assert!(
            report.findings.iter().all(|f| f.rule != "AGW000"),
            "{:?}",
            report.findings
        );
        let found = report
            .findings
            .into_iter()
            .filter(|f| f.rule == "AGW027")
            .collect();
        (sources, found)
    }

    /// Lints `path`, applies the edit of its one AGW027 finding to the file on disk, checks
    /// that a new lint has no AGW027, and returns the new text and the edit.
    fn fix_and_relint(path: &Path) -> (String, Edit) {
        let (sources, found) = agw027(path);
        assert_eq!(found.len(), 1, "{found:?}");
        let e = edit(&found[0], &sources).expect("a fix");
        let file = sources.get(e.span.file).unwrap();
        let mut text = file.text.to_string();
        text.replace_range(e.span.start as usize..e.span.end as usize, &e.new_text);
        let on_disk = if path.is_dir() {
            path.join(Path::new(&file.path).file_name().unwrap())
        } else {
            path.to_path_buf()
        };
        std::fs::write(&on_disk, &text).unwrap();
        let (_, after) = agw027(path);
        assert!(after.is_empty(), "{text}\n{after:?}");
        (text, e)
    }

    #[test]
    fn arm_json_gets_an_element_after_the_last_rule() {
        let (text, e) = fix_and_relint(&copy("fail.json", |t| t));
        assert_eq!(
            e.title,
            "Add security rule AllowGatewayManager (allow GatewayManager inbound on TCP 65200-65535, priority 100)"
        );
        let want = r#"          },
          {
            "name": "AllowGatewayManager",
            "properties": {
              "protocol": "Tcp",
              "sourcePortRange": "*",
              "destinationPortRange": "65200-65535",
              "sourceAddressPrefix": "GatewayManager",
              "destinationAddressPrefix": "*",
              "access": "Allow",
              "priority": 100,
              "direction": "Inbound"
            }
          }
        ]"#;
        assert!(text.contains(want), "{text}");
    }

    #[test]
    fn bicep_gets_an_object_literal_without_commas() {
        let (text, _) = fix_and_relint(&copy("fail.bicep", |t| t));
        let want = "      }
      {
        name: 'AllowGatewayManager'
        properties: {
          protocol: 'Tcp'
          sourcePortRange: '*'
          destinationPortRange: '65200-65535'
          sourceAddressPrefix: 'GatewayManager'
          destinationAddressPrefix: '*'
          access: 'Allow'
          priority: 100
          direction: 'Inbound'
        }
      }
    ]";
        assert!(text.contains(want), "{text}");
    }

    #[test]
    fn terraform_gets_a_security_rule_block() {
        let (text, _) = fix_and_relint(&copy("fail_tf", |t| t));
        let want = r#"    destination_address_prefix = "*"
  }

  security_rule {
    name                       = "AllowGatewayManager"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "65200-65535"
    source_address_prefix      = "GatewayManager"
    destination_address_prefix = "*"
    access                     = "Allow"
    priority                   = 100
    direction                  = "Inbound"
  }
}
"#;
        assert!(text.contains(want), "{text}");
    }

    #[test]
    fn a_used_name_and_priority_are_avoided() {
        // `AllowGatewayManager` exists (destination VirtualNetwork, priority 100).
        let (text, e) = fix_and_relint(&copy("fail_destination_vnet.json", |t| t));
        assert!(
            e.title.contains("AllowGatewayManagerInbound"),
            "{}",
            e.title
        );
        assert!(e.title.contains("priority 101"), "{}", e.title);
        assert!(text.contains("\"priority\": 101,"), "{text}");
    }

    #[test]
    fn v1_gateways_get_the_v1_ports_and_tabs_are_kept() {
        let path = copy("fail.json", |t| {
            t.replace("\"Standard_v2\"", "\"Standard_Medium\"")
                .replace("\"tier\": \"Standard_Medium\"", "\"tier\": \"Standard\"")
                .lines()
                .map(|l| {
                    let body = l.trim_start_matches(' ');
                    format!("{}{body}\n", "\t".repeat((l.len() - body.len()) / 2))
                })
                .collect()
        });
        let (text, e) = fix_and_relint(&path);
        assert!(e.new_text.contains("\"65503-65534\""), "{}", e.new_text);
        assert!(
            text.contains("\t\t\t\t\t{\n\t\t\t\t\t\t\"name\": \"AllowGatewayManager\",\n\t\t\t\t\t\t\"properties\": {\n\t\t\t\t\t\t\t\"protocol\""),
            "{text}"
        );
    }

    #[test]
    fn no_fix_for_an_unknown_tier_or_separate_rule_resources() {
        // SKU name and tier from a parameter without a default: no ports, no finding, no fix.
        let path = copy("fail.json", |t| {
            t.replace(
                "\"parameters\": {",
                "\"parameters\": { \"sku\": { \"type\": \"string\" },",
            )
            .replace("\"Standard_v2\"", "\"[parameters('sku')]\"")
        });
        let (_, found) = agw027(&path);
        assert!(found.is_empty(), "{found:?}");
        // The rule list from a variable: not a literal in the resource.
        let path = copy("fail.json", |t| {
            let start = t.find("\"securityRules\": [").unwrap() + "\"securityRules\": ".len();
            let end = start + t[start..].find("\n        ]").unwrap() + "\n        ]".len();
            let list = t[start..end].to_string();
            let t = format!("{}\"[variables('rules')]\"{}", &t[..start], &t[end..]);
            t.replace(
                "\"variables\": {}",
                &format!("\"variables\": {{ \"rules\": {list} }}"),
            )
        });
        let (sources, found) = agw027(&path);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].fix.is_none(), "{:?}", found[0].fix);
        assert!(edit(&found[0], &sources).is_none());
        // Child `securityRules` resources; `azurerm_network_security_rule`.
        for name in ["fail_child_rule_deny.json", "fail_rule_resources_tf"] {
            let (sources, found) = agw027(&copy(name, |t| t));
            assert_eq!(found.len(), 1, "{name}");
            assert!(found[0].fix.is_none(), "{name}: {:?}", found[0].fix);
            assert!(edit(&found[0], &sources).is_none(), "{name}");
        }
    }

    fn rule(sources: &SourceMap, path: &str, text: &str, dialect: Dialect) -> Finding {
        let id = sources.add(path, text);
        let into = match dialect {
            Dialect::Arm => {
                let at = text.find('[').unwrap();
                Span::new(id, at..text.rfind(']').unwrap() + 1)
            }
            Dialect::Terraform => Span::new(id, 0..text.rfind('}').map_or(text.len(), |c| c + 1)),
        };
        let r = NewSecurityRule {
            dialect,
            into,
            after: None,
            name: "AllowGatewayManager".into(),
            direction: "Inbound".into(),
            access: "Allow".into(),
            priority: 100,
            protocol: "Tcp".into(),
            source_prefix: "GatewayManager".into(),
            source_ports: "*".into(),
            destination_prefix: "*".into(),
            destination_ports: "65200-65535".into(),
        };
        Finding::new("AGW027", "x", crate::finding::Severity::Error, "m", into)
            .fix(Fix::AddSecurityRule(Box::new(r)))
    }

    #[test]
    fn an_empty_array_gets_its_only_element_and_loops_get_nothing() {
        let sources = SourceMap::new();
        let text = "{\r\n  \"securityRules\": []\r\n}\r\n";
        let f = rule(&sources, "t.json", text, Dialect::Arm);
        let e = edit(&f, &sources).unwrap();
        assert!(
            e.new_text
                .starts_with("\r\n    {\r\n      \"name\": \"AllowGatewayManager\",\r\n"),
            "{:?}",
            e.new_text
        );
        assert!(e.new_text.ends_with("    }\r\n  "), "{:?}", e.new_text);
        let text = "securityRules: [for r in rules: {\n  name: r\n}]\n";
        let f = rule(&sources, "t.bicep", text, Dialect::Arm);
        assert!(edit(&f, &sources).is_none());
        // A Terraform fix in a JSON file (a plan) or an ARM one in HCL (azapi): not rendered.
        let f = rule(&sources, "plan.json", "{}", Dialect::Terraform);
        assert!(edit(&f, &sources).is_none());
        let f = rule(&sources, "main.tf", "body = [\n]\n", Dialect::Arm);
        assert!(edit(&f, &sources).is_none());
        // A Terraform NSG without inline rules: the block goes before the closing brace,
        // indented like the attributes (four spaces here), after a blank line.
        let text = "resource \"azurerm_network_security_group\" \"n\" {\n    name = \"x\"\n}\n";
        let f = rule(&sources, "main.tf", text, Dialect::Terraform);
        let e = edit(&f, &sources).unwrap();
        assert_eq!(e.span.start as usize, text.rfind('}').unwrap());
        assert!(
            e.new_text
                .starts_with("\n    security_rule {\n        name "),
            "{:?}",
            e.new_text
        );
        assert!(e.new_text.ends_with("\n    }\n"), "{:?}", e.new_text);
        // A Terraform block closed on its last attribute's line.
        let text = "resource \"azurerm_network_security_group\" \"n\" {\n  name = \"x\" }";
        let f = rule(&sources, "main.tf", text, Dialect::Terraform);
        assert!(edit(&f, &sources).is_none());
    }

    #[test]
    fn every_fail_fixture_with_a_fix_is_fixed_by_it() {
        let mut fixed = Vec::new();
        for e in std::fs::read_dir(FIXTURES).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if !name.starts_with("fail") {
                continue;
            }
            let path = copy(&name, |t| t);
            let (sources, found) = agw027(&path);
            if found.iter().any(|f| edit(f, &sources).is_some()) {
                fix_and_relint(&path);
                fixed.push(name);
            }
        }
        fixed.sort();
        // All but the two whose rules are separate resources (fail_child_rule_deny.*,
        // fail_rule_resources_tf).
        assert_eq!(fixed.len(), 12, "{fixed:?}");
    }
}
