//! Meta checks: the registry is the only list, and everything a rule needs exists.
//!
//! Every registered rule has a page with matching front matter, fail and pass fixtures, a
//! unique ID, and the ID/name/severity of the catalogue (../shared/docs/azure-502-rules.md);
//! no rule file in src/rules/ is unregistered; the README's rule table is generated from the
//! registry (run with `UPDATE_README=1` to regenerate it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use agwlint::rules::{REGISTRY, all_meta};

/// (ID, name, allowed default severities) from the catalogue's summary table. Severity `note`
/// in the catalogue is our `info`.
const CATALOGUE: &[(&str, &str, &[&str])] = &[
    ("AGW001", "v1-sku-retired", &["error"]),
    ("AGW002", "sku-config-invalid", &["error"]),
    ("AGW003", "insufficient-min-instances", &["warning"]),
    ("AGW004", "zone-config", &["warning", "error"]),
    ("AGW005", "gateway-subnet-too-small", &["warning", "info"]),
    ("AGW006", "empty-backend-pool", &["error"]),
    ("AGW007", "backend-fqdn-malformed", &["error"]),
    ("AGW008", "app-service-backend-by-ip", &["warning", "error"]),
    ("AGW009", "hardcoded-default-hostname", &["warning"]),
    ("AGW010", "app-service-host-header-not-set", &["error"]),
    (
        "AGW011",
        "host-override-not-bound-to-app",
        &["warning", "error"],
    ),
    ("AGW012", "host-override-conflict", &["error", "warning"]),
    ("AGW013", "backend-protocol-port-mismatch", &["warning"]),
    ("AGW014", "request-timeout-vs-function", &["warning"]),
    ("AGW015", "https-backend-trust", &["warning", "error"]),
    ("AGW016", "probe-host-unresolvable", &["error"]),
    ("AGW017", "probe-protocol-mismatch", &["error"]),
    ("AGW018", "probe-path-invalid", &["error"]),
    ("AGW019", "probe-timing-invalid", &["error", "warning"]),
    ("AGW020", "probe-match-too-narrow", &["warning"]),
    ("AGW021", "probe-unreferenced", &["info"]),
    ("AGW022", "probe-path-requires-auth", &["warning"]),
    ("AGW023", "dangling-or-missing-reference", &["error"]),
    ("AGW024", "rule-priority-v2", &["error"]),
    ("AGW025", "https-listener-certificate", &["error"]),
    ("AGW026", "duplicate-listener", &["error"]),
    ("AGW027", "nsg-gatewaymanager-inbound-missing", &["error"]),
    (
        "AGW028",
        "nsg-deny-overrides-required-inbound",
        &["error", "warning"],
    ),
    ("AGW029", "nsg-outbound-internet-denied", &["error"]),
    ("AGW030", "udr-forced-tunneling", &["error", "warning"]),
    ("AGW031", "gateway-subnet-not-dedicated", &["error"]),
    ("AGW032", "custom-dns-servers", &["warning"]),
    ("AGW033", "private-only-gateway-no-egress", &["warning"]),
    ("AGW034", "private-endpoint-dns-not-linked", &["error"]),
    ("AGW035", "public-access-disabled-unreachable", &["error"]),
    ("AGW036", "private-endpoint-unsupported-plan", &["error"]),
    ("AGW037", "access-restrictions-block-gateway", &["error"]),
    ("AGW038", "subnet-rule-without-service-endpoint", &["error"]),
    ("AGW039", "service-endpoint-vs-private-endpoint", &["error"]),
    ("AGW040", "function-min-tls-1-3", &["warning", "error"]),
    ("AGW041", "function-client-cert-required", &["error"]),
    ("AGW042", "https-only-with-http-backend", &["warning"]),
    ("AGW043", "ssl-policy-retired", &["error", "warning"]),
    ("AGW044", "diagnostics-missing", &["warning"]),
    ("AGW045", "waf-prevention-body-inspection", &["info"]),
    ("AGW046", "probe-min-servers", &["warning"]),
    (
        "AGW047",
        "custom-domain-https-without-tls-binding",
        &["error"],
    ),
    ("AGW048", "linux-consumption-functions-v3", &["error"]),
    ("AGW049", "custom-domain-default-probe", &["warning"]),
    ("AGW056", "probe-path-needs-function-key", &["error"]),
    ("AGW057", "probe-path-no-function-route", &["error"]),
    ("AGW058", "probe-method-not-allowed", &["warning"]),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn ids_are_unique_and_names_match_the_catalogue() {
    let mut seen = BTreeSet::new();
    for m in all_meta() {
        assert!(seen.insert(m.id), "duplicate rule id {}", m.id);
        if m.id == "AGW000" || m.id == "AGW900" || m.id == "AGW901" {
            continue;
        }
        let Some((_, name, sevs)) = CATALOGUE.iter().find(|(id, _, _)| *id == m.id) else {
            panic!("{} is not in the catalogue", m.id);
        };
        assert_eq!(m.name, *name, "{}: name differs from the catalogue", m.id);
        assert!(
            sevs.contains(&m.severity.as_str()),
            "{}: default severity {} not among the catalogue's {:?}",
            m.id,
            m.severity,
            sevs
        );
        assert!(
            !m.summary.is_empty() && !m.summary.ends_with('.'),
            "{}: summary",
            m.id
        );
    }
}

#[test]
fn every_rule_has_a_page_with_matching_front_matter() {
    for m in all_meta() {
        let path = root().join(format!("rules/{}.md", m.id));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} has no page", m.id));
        assert_eq!(
            text, m.page,
            "{}: embedded page differs from the file",
            m.id
        );
        assert!(
            text.starts_with("---\n"),
            "{}: page lacks front matter",
            m.id
        );
        assert!(
            text.contains(&format!("\nid: {}\n", m.id)),
            "{}: front matter id",
            m.id
        );
        assert!(
            text.contains(&format!("\nname: {}\n", m.name)),
            "{}: front matter name",
            m.id
        );
        assert!(
            text.contains(&format!("\nseverity: {}\n", m.severity)),
            "{}: front matter severity",
            m.id
        );
        assert!(
            text.contains(&format!("# {} {}", m.id, m.name)),
            "{}: title",
            m.id
        );
    }
}

#[test]
fn every_rule_has_fixtures() {
    for r in REGISTRY {
        let m = r.meta();
        let dir = root().join(format!("testdata/rules/{}", m.id));
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} has no fixture directory", m.id))
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail")),
            "{}: no fail fixture",
            m.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("pass")),
            "{}: no pass fixture",
            m.id
        );
    }
}

#[test]
fn no_rule_file_is_unregistered() {
    let registered: BTreeSet<String> = REGISTRY
        .iter()
        .map(|r| r.meta().id.to_ascii_lowercase())
        .collect();
    for e in std::fs::read_dir(root().join("src/rules"))
        .unwrap()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(id) = name
            .get(..6)
            .filter(|p| p.starts_with("agw") && name.ends_with(".rs"))
        {
            assert!(
                registered.contains(id),
                "{name} is not registered in src/rules/mod.rs"
            );
        }
    }
}

/// The README's rules table, generated from the registry.
fn rules_table() -> String {
    let mut s = String::from("| ID | Name | Severity | What it finds |\n|---|---|---|---|\n");
    for m in all_meta() {
        s.push_str(&format!(
            "| [{id}](rules/{id}.md) | `{}` | {} | {} |\n",
            m.name,
            m.severity,
            m.summary,
            id = m.id
        ));
    }
    s
}

#[test]
fn readme_rules_table_is_in_sync() {
    const START: &str = "<!-- rules-table:start -->\n";
    const END: &str = "<!-- rules-table:end -->";
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the rules-table markers");
    };
    let current = &readme[a + START.len()..b];
    let want = rules_table();
    if current != want {
        if std::env::var_os("UPDATE_README").is_some() {
            let new = format!("{}{}{}", &readme[..a + START.len()], want, &readme[b..]);
            std::fs::write(&path, new).unwrap();
        } else {
            panic!("README rules table is stale; run `UPDATE_README=1 cargo test --test meta`");
        }
    }
}
