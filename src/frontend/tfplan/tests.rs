use super::*;

fn plan(text: &str) -> Result<Plan, PlanError> {
    parse(Path::new("plan.json"), "plan.json", text, FileId(0))
}

#[test]
fn format_versions_0_and_1_are_read_newer_majors_refused() {
    for v in ["0.2", "1.0", "1.2", "1.9"] {
        let t = format!(r#"{{"format_version":"{v}","resource_changes":[]}}"#);
        assert!(plan(&t).is_ok(), "{v}");
    }
    let e = plan(r#"{"format_version":"2.0","resource_changes":[]}"#).unwrap_err();
    assert!(
        matches!(&e, PlanError::Version(m) if m.contains("`2.0`")),
        "{e:?}"
    );
    assert!(matches!(
        plan(r#"{"format_version":"1.2"}"#),
        Err(PlanError::NotPlan(_))
    ));
    assert!(matches!(plan("[1]"), Err(PlanError::NotPlan(_))));
}

#[test]
fn unknown_and_sensitive_values_are_unknown_and_never_kept() {
    let p = plan(
        r#"{"format_version":"1.2",
        "variables":{"sku":{"value":"WAF_v2"},"key":{"value":"s3cr3t"}},
        "configuration":{"root_module":{"variables":{"key":{"sensitive":true}}}},
        "resource_changes":[
          {"address":"azurerm_application_gateway.gw","mode":"managed","type":"azurerm_application_gateway","name":"gw",
           "change":{"actions":["create"],
             "after":{"name":"agw","backend_address_pool":[{"name":"p","ip_addresses":[]}],
                      "ssl_certificate":[{"name":"c","password":"pw"}]},
             "after_unknown":{"backend_address_pool":[{"fqdns":true,"ip_addresses":[]}],"id":true},
             "after_sensitive":{"ssl_certificate":[{"password":true}]}}},
          {"address":"azurerm_public_ip.old","mode":"managed","type":"azurerm_public_ip","name":"old",
           "change":{"actions":["delete"],"before":{"name":"x"},"after":null}}
        ]}"#,
    )
    .unwrap();
    assert_eq!(plan_var(&p, "sku"), TVal::Str("WAF_v2".into()));
    assert!(matches!(plan_var(&p, "key"), TVal::Unknown(_)));
    let (gw, _) = &p.resources["azurerm_application_gateway.gw"];
    let pool = &gw.get("backend_address_pool").unwrap().as_list().unwrap()[0];
    assert!(matches!(pool.get("fqdns"), Some(TVal::Unknown(_))));
    assert!(matches!(gw.get("id"), Some(TVal::Unknown(_))));
    let cert = &gw.get("ssl_certificate").unwrap().as_list().unwrap()[0];
    assert!(matches!(cert.get("password"), Some(TVal::Unknown(_))));
    // No sensitive text is kept anywhere in the converted values.
    assert!(!format!("{:?}", p.resources).contains("pw\""));
    assert!(!format!("{:?}", p.variables).contains("s3cr3t"));
    // A deleted instance does not exist after the plan.
    assert!(!p.live.contains("azurerm_public_ip.old"));
    assert!(p.live.contains("azurerm_application_gateway.gw"));
}

fn plan_var(p: &Plan, name: &str) -> TVal {
    p.variables[name].0.clone()
}

#[test]
fn data_sources_and_instance_keys_come_from_addresses() {
    let p = plan(
        r#"{"format_version":"1.1",
        "prior_state":{"values":{"root_module":{
          "resources":[{"address":"data.azurerm_subnet.agw","mode":"data","values":{"address_prefixes":["10.0.0.0/27"]}}],
          "child_modules":[{"address":"module.net","resources":[
            {"address":"module.net.data.azurerm_client_config.c[0]","mode":"data","values":{"tenant_id":"t"}}]}]}}},
        "resource_changes":[
          {"address":"module.ingress[\"neu.1\"].azurerm_subnet.s[\"a]b\"]","mode":"managed","change":{"actions":["create"],"after":{}}},
          {"address":"module.ingress[\"neu.1\"].azurerm_subnet.s[\"c\"]","mode":"managed","change":{"actions":["create"],"after":{}}},
          {"address":"azurerm_public_ip.p[1]","mode":"managed","change":{"actions":["no-op"],"after":{}}},
          {"address":"azurerm_public_ip.p[0]","mode":"managed","change":{"actions":["update"],"after":{}}},
          {"address":"azurerm_public_ip.p[10]","mode":"managed","change":{"actions":["create"],"after":{}}}
        ]}"#,
    )
    .unwrap();
    assert!(p.data_source("data.azurerm_subnet.agw").is_some());
    assert!(matches!(
        p.data_source("module.net.data.azurerm_client_config.c"),
        Some(TVal::List(l)) if l.len() == 1
    ));
    assert_eq!(
        p.instance_keys("azurerm_public_ip.p").unwrap(),
        vec![TVal::Number(0.0), TVal::Number(1.0), TVal::Number(10.0)]
    );
    assert_eq!(
        p.instance_keys("module.ingress[\"neu.1\"].azurerm_subnet.s")
            .unwrap(),
        vec![TVal::Str("a]b".into()), TVal::Str("c".into())]
    );
    assert!(p.instance_keys("azurerm_subnet.none").is_none());
}
