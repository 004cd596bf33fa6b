//! One synthetic report over the files in testdata/report/, shared by the report tests.
//!
//! The ARM and Terraform front-ends are developed elsewhere, so the findings are built by hand:
//! spans are located by searching the fixture text, exactly as a front-end would record them.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use agwlint::Report;
use agwlint::finding::{Finding, Severity};
use agwlint::rules::{RuleMeta, find_meta};
use agwlint::source::{FileId, SourceMap, Span};

/// Root of the fixture files.
pub fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/report")
}

/// Adds a fixture file under its repository-relative path.
pub fn add(sources: &SourceMap, rel: &str) -> FileId {
    let text = std::fs::read_to_string(fixture_dir().join(rel)).unwrap();
    sources.add(format!("testdata/report/{rel}"), &text)
}

/// The span of the `nth` (0-based) occurrence of `needle` in a file.
pub fn span_of(sources: &SourceMap, file: FileId, needle: &str, nth: usize) -> Span {
    let text = sources.get(file).unwrap().text.clone();
    let (start, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in {}", sources.path(file)));
    Span::new(file, start..start + needle.len())
}

pub fn meta(id: &str) -> &'static RuleMeta {
    find_meta(id).unwrap()
}

/// A gateway name with everything hostile to the line-based formats: comma, colon, percent,
/// newline, carriage return, an OSC title-setting escape, a CSI colour and a C1 CSI.
pub const HOSTILE: &str = "evil,gw:50%\r\nrm -rf\u{1b}]0;pwned\u{7}\u{1b}[31mred\u{9b}0m";

/// The synthetic report: five findings over three files plus one parse error.
pub fn synthetic() -> (Report, SourceMap) {
    let sources = SourceMap::new();
    let arm = add(&sources, "infra/azuredeploy.json");
    let params = add(&sources, "infra/azuredeploy.parameters.json");
    let tf = add(&sources, "tf/main.tf");
    // What lib.rs records for a template that is not UTF-8: the valid prefix.
    let bytes = std::fs::read(fixture_dir().join("invalid-utf8.json")).unwrap();
    let valid = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
    let prefix = std::str::from_utf8(&bytes[..valid]).unwrap();
    let bad = sources.add("testdata/report/invalid-utf8.json", prefix);

    let gw = "Microsoft.Network/applicationGateways/scim-agw";
    let mut findings = vec![
        meta("AGW001")
            .finding(
                "gateway \"scim-agw\" uses the retired v1 SKU `Standard_Small` in `sku.name`",
                span_of(&sources, arm, "\"[parameters('skuName')]\"", 0),
            )
            .label("v1 SKU: stopped since 28 April 2026")
            .help("move to Standard_v2 or WAF_v2 with autoscaleConfiguration")
            .related(
                span_of(&sources, arm, "\"Standard_Medium\"", 0),
                "the default of parameter `skuName` is here",
            )
            .related(
                span_of(&sources, params, "\"Standard_Small\"", 0),
                "value comes from the parameter file here",
            )
            .resource_label(gw)
            .property("sku.name"),
        meta("AGW006")
            .finding(
                "backend pool \"empty-pool\" of gateway \"scim-agw\" has no backend addresses",
                span_of(&sources, arm, "\"backendAddresses\": []", 0),
            )
            .label("no addresses")
            .help("add the function app's default host name as an FQDN backend address")
            .resource_label(gw)
            .property("backendAddressPools[empty-pool].backendAddresses"),
        meta("AGW010")
            .finding(
                "backend settings \"func-https\" of gateway \"scim-agw\" sends the gateway's host name to an App Service backend",
                span_of(&sources, arm, "\"pickHostNameFromBackendAddress\": false", 0),
            )
            .label("false: the backend sees the listener's host name")
            .help("set pickHostNameFromBackendAddress to true, or set hostName")
            .resource_label(gw)
            .property("backendHttpSettingsCollection[func-https].pickHostNameFromBackendAddress"),
        meta("AGW023")
            .finding(
                "gateway \"agw-😀-edge\" names an edge listener that does not exist",
                span_of(&sources, tf, "edge", 0),
            )
            .severity(Severity::Info)
            .label("after a four-byte character: UTF-16 columns differ from character columns")
            .resource_label("azurerm_application_gateway.gw")
            .property("name"),
        meta("AGW010")
            .finding(
                format!("backend settings \"a,b:c%d\" of gateway \"{HOSTILE}\"\nhas request_timeout 10"),
                span_of(&sources, tf, "request_timeout = 10", 0),
            )
            .severity(Severity::Warning)
            .label(format!("label of {HOSTILE}"))
            .help(format!("help for {HOSTILE}"))
            .related(span_of(&sources, tf, "\"a,b:c%d\"", 0), format!("related {HOSTILE}"))
            .resource_label(&format!("azurerm_application_gateway.{HOSTILE}"))
            .property("backend_http_settings[a,b:c%d].request_timeout"),
        meta("AGW000")
            .finding(
                "testdata/report/invalid-utf8.json is not valid UTF-8 (invalid byte at offset 150)",
                Span::new(bad, prefix.len()..prefix.len()),
            )
            .label("invalid UTF-8 here"),
    ];
    assert_eq!(valid, 150, "fixture changed: update the AGW000 message");
    agwlint::sort_and_dedup(&mut findings, &sources);
    let report = Report {
        files_scanned: 4,
        findings,
        ..Report::default()
    };
    (report, sources)
}

/// `Finding::resource` takes a model resource; fixtures only have its label.
pub trait ResourceLabel {
    fn resource_label(self, label: &str) -> Self;
}

impl ResourceLabel for Finding {
    fn resource_label(mut self, label: &str) -> Self {
        self.resource = Some(label.to_string());
        self
    }
}
