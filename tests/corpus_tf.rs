//! The shared corpus of real Terraform configurations: every directory loads without a parse
//! error or a panic, and the findings of the four skeleton rules are the verified ones.
//!
//! The corpus is read in place: `$AGWLINT_CORPUS/terraform` (default `../shared/corpus`
//! relative to the repository root). When it is missing the tests fail in CI and skip with a
//! printed reason elsewhere (tests/support/corpus.rs).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use agwlint::{LintOptions, lint, source::SourceMap};

#[path = "support/corpus.rs"]
mod corpus;

fn corpus() -> Option<PathBuf> {
    corpus::corpus("terraform")
}

/// Every directory of the corpus that holds `.tf` files.
fn tf_dirs(root: &PathBuf) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
        .filter_map(|e| e.path().parent().map(PathBuf::from))
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn every_corpus_directory_loads_without_parse_errors() {
    let Some(root) = corpus() else { return };
    let dirs = tf_dirs(&root);
    assert!(dirs.len() > 40, "only {} directories", dirs.len());
    for d in &dirs {
        let sources = SourceMap::new();
        let report = lint(std::slice::from_ref(d), &LintOptions::default(), &sources)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        let parse: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "AGW000")
            .map(|f| f.message.clone())
            .collect();
        assert!(parse.is_empty(), "{}: {parse:?}", d.display());
        assert!(report.files_scanned > 0, "{}", d.display());
    }
}

/// (rule, path suffix, line) of every verified finding of the four skeleton rules on the
/// whole Terraform corpus linted at once.
const EXPECTED: &[(&str, &str, usize)] = &[
    // The 2023 provider doc example: `Standard_Small` / `Standard`.
    (
        "AGW001",
        "azurerm-provider-docs/application_gateway_v1_sku_2023/main.tf",
        51,
    ),
    // checkov fixtures: every gateway that has a `sku` block is `Standard_Small`.
    ("AGW001", "checkov/AppGWDefinesSecureProtocols/main.tf", 51),
    ("AGW001", "checkov/AppGWDefinesSecureProtocols/main.tf", 108),
    ("AGW001", "checkov/AppGWDefinesSecureProtocols/main.tf", 169),
    ("AGW001", "checkov/AppGWDefinesSecureProtocols/main.tf", 234),
    ("AGW001", "checkov/AppGWDefinesSecureProtocols/main.tf", 296),
    ("AGW001", "checkov/AppGWDefinesSecureProtocols/main.tf", 360),
    ("AGW001", "checkov/AppGWUsesHttps/main.tf", 51),
    ("AGW001", "checkov/AppGWUsesHttps/main.tf", 107),
    ("AGW001", "checkov/ApplicationGatewayEnablesWAF/main.tf", 7),
    ("AGW001", "checkov/ApplicationGatewayEnablesWAF/main.tf", 64),
    (
        "AGW001",
        "checkov/ApplicationGatewayEnablesWAF/main.tf",
        121,
    ),
    (
        "AGW001",
        "checkov/ApplicationGatewayEnablesWAF/main.tf",
        218,
    ),
    (
        "AGW001",
        "checkov/ApplicationGatewayEnablesWAF/main.tf",
        275,
    ),
    // AVM examples whose pools have neither `fqdns` nor `ip_addresses` (the VMSS that would
    // join them is commented out in the example's prerequisites): reported in the module at
    // the pool's `fqdns` attribute, once per pool.
    ("AGW006", "avm-res-network-applicationgateway/main.tf", 49),
    ("AGW006", "avm-res-network-applicationgateway/main.tf", 49),
    ("AGW006", "avm-res-network-applicationgateway/main.tf", 49),
    ("AGW006", "avm-res-network-applicationgateway/main.tf", 49),
    // Pools named `"${azurerm_virtual_network.example.name}-beap"` (the provider's doc
    // example, copied by checkov's fixtures) with no address and no member: empty and routed.
    (
        "AGW006",
        "azurerm-provider-docs/application_gateway_current/main.tf",
        64,
    ),
    (
        "AGW006",
        "azurerm-provider-docs/application_gateway_v1_sku_2023/main.tf",
        71,
    ),
    ("AGW006", "checkov/AppGWDefinesSecureProtocols/main.tf", 71),
    ("AGW006", "checkov/AppGWDefinesSecureProtocols/main.tf", 128),
    ("AGW006", "checkov/AppGWDefinesSecureProtocols/main.tf", 189),
    ("AGW006", "checkov/AppGWDefinesSecureProtocols/main.tf", 254),
    ("AGW006", "checkov/AppGWDefinesSecureProtocols/main.tf", 316),
    ("AGW006", "checkov/AppGWDefinesSecureProtocols/main.tf", 380),
    ("AGW006", "checkov/AppGWUsesHttps/main.tf", 71),
    ("AGW006", "checkov/AppGWUsesHttps/main.tf", 127),
    // Provider example: `backend_address_pool { name = "backend" }`, routed, no member.
    (
        "AGW006",
        "azurerm-provider-examples/private-endpoint-application-gateway/main.tf",
        95,
    ),
];

#[test]
fn skeleton_rule_findings_on_the_corpus_are_the_verified_ones() {
    let Some(root) = corpus() else { return };
    let sources = SourceMap::new();
    let report = lint(
        std::slice::from_ref(&root),
        &LintOptions::default(),
        &sources,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut got: Vec<(String, String, usize)> = report
        .findings
        .iter()
        .filter(|f| ["AGW001", "AGW006", "AGW010", "AGW023"].contains(&f.rule))
        .map(|f| {
            let path = sources.path(f.primary.file);
            let line = sources.span_lines(&f.primary).map_or(0, |(s, _)| s.line);
            (f.rule.to_string(), path, line)
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, usize)> = Vec::new();
    let mut pool = got.clone();
    for (rule, suffix, line) in EXPECTED {
        let at = pool
            .iter()
            .position(|(r, p, l)| r == rule && p.ends_with(suffix) && l == line);
        let Some(at) = at else {
            panic!("missing {rule} {suffix}:{line}; got {got:#?}");
        };
        want.push(pool.remove(at));
    }
    want.sort();
    assert_eq!(got, want, "unexpected findings");
    assert!(
        !report.findings.iter().any(|f| f.rule == "AGW000"),
        "parse errors on valid HCL"
    );
}

/// Findings per rule and severity on the whole Terraform corpus linted at once, as reviewed
/// finding by finding in `testdata/corpus-review.md`. A change here is a change in what the
/// linter reports on real code: re-review the difference, then update the table.
const REVIEWED_COUNTS: &[(&str, &str, usize)] = &[
    ("AGW001", "error", 14),
    ("AGW003", "warning", 3),
    ("AGW005", "info", 1),
    ("AGW006", "error", 15),
    ("AGW019", "error", 1),
    ("AGW021", "info", 1),
    ("AGW024", "error", 1),
    ("AGW025", "error", 6),
    ("AGW027", "error", 1),
    ("AGW028", "warning", 1),
    ("AGW043", "error", 4),
    ("AGW044", "warning", 34),
    ("AGW045", "info", 10),
];

#[test]
fn per_rule_counts_on_the_corpus_are_the_reviewed_ones() {
    let Some(root) = corpus() else { return };
    let sources = SourceMap::new();
    let report = lint(
        std::slice::from_ref(&root),
        &LintOptions::default(),
        &sources,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut got: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for f in &report.findings {
        *got.entry((f.rule.to_string(), f.severity.as_str().to_string()))
            .or_default() += 1;
    }
    let want: std::collections::BTreeMap<(String, String), usize> = REVIEWED_COUNTS
        .iter()
        .map(|(r, s, n)| ((r.to_string(), s.to_string()), *n))
        .collect();
    assert_eq!(
        got, want,
        "per-rule counts changed; re-review (testdata/corpus-review.md)"
    );
}
