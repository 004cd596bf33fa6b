//! Arbitrary text as ARM template expressions (`"[...]"`) in the places a template evaluates
//! them: a variable, a resource name, a gateway property, a copy count and an output.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    // Up to three expressions separated by NUL bytes.
    let mut parts = raw.split('\0');
    let a = json_str(parts.next().unwrap_or(""));
    let b = json_str(parts.next().unwrap_or("'x'"));
    let c = json_str(parts.next().unwrap_or("1"));
    let text = format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "p": {{ "type": "object", "defaultValue": {{ "a": [1, "x", {{ "b": true }}] }} }} }},
  "variables": {{ "v": "[{a}]", "w": "[{b}]" }},
  "resources": [
    {{
      "type": "Microsoft.Network/applicationGateways",
      "apiVersion": "2023-09-01",
      "name": "[{b}]",
      "location": "westeurope",
      "copy": {{ "name": "c", "count": "[{c}]" }},
      "properties": {{
        "sku": {{ "name": "[variables('v')]", "tier": "[{a}]" }},
        "backendHttpSettingsCollection": [ {{ "name": "s", "properties": {{ "port": "[{c}]", "hostName": "[variables('w')]" }} }} ],
        "backendAddressPools": "[{a}]"
      }}
    }}
  ],
  "outputs": {{ "o": {{ "type": "string", "value": "[{a}]" }} }}
}}"#
    );
    common::lint_arm_text(&text);
});

/// The expression text as the inside of a JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
