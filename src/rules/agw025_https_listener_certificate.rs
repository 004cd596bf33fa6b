//! AGW025 https-listener-certificate: an HTTPS listener without a certificate, a certificate
//! with neither `data` nor `keyVaultSecretId`, or a Key Vault certificate on a gateway without a
//! user-assigned identity. The deployment fails (or the gateway ends in a failed state).

use super::{Rule, RuleCx, RuleMeta};
use crate::finding::Severity;
use crate::model::{Gateway, Lattice, Listener, Model, SslCertificate};

/// See the module docs.
pub struct HttpsListenerCertificate;

static META: RuleMeta = RuleMeta {
    id: "AGW025",
    name: "https-listener-certificate",
    severity: Severity::Error,
    summary: "HTTPS listener without a certificate, certificate without data or Key Vault secret, or Key Vault certificate without a user-assigned identity",
    page: include_str!("../../rules/AGW025.md"),
};

impl Rule for HttpsListenerCertificate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleCx<'_>) {
        for gw in &model.gateways {
            for l in gw.listeners.iter() {
                check_listener(gw, l, cx);
            }
            for c in gw.ssl_certificates.iter() {
                check_certificate(gw, c, cx);
            }
        }
    }
}

fn check_listener(gw: &Gateway, l: &Listener, cx: &mut RuleCx<'_>) {
    let Some(proto) = l.protocol.get() else {
        if l.protocol.is_unknown() {
            cx.skip(
                &gw.res,
                super::path("httpListeners", &l.name, "protocol"),
                &l.protocol,
            );
        }
        return;
    };
    if !proto.eq_ignore_ascii_case("Https") {
        return;
    }
    if l.ssl_certificate.name.is_unknown() {
        cx.skip(
            &gw.res,
            super::path("httpListeners", &l.name, "sslCertificate"),
            &l.ssl_certificate.name,
        );
        return;
    }
    if !l.ssl_certificate.name.is_absent() {
        return;
    }
    let d = gw.res.dialect;
    let lname = l.name.display_name();
    let gname = gw.res.display_name();
    let cert_prop = d.prop("sslCertificate", "ssl_certificate_name");
    let f = cx
        .finding(
            format!("https listener \"{lname}\" of gateway \"{gname}\" has no `{cert_prop}`"),
            l.protocol.span_or(l.span),
        )
        .label("the deployment fails with ApplicationGatewayHttpsListenerMustReferenceSslCert")
        .help(format!(
            "reference a certificate of the gateway through `{cert_prop}`, or make the listener Http"
        ))
        .origins(&l.protocol)
        .resource(&gw.res)
        .property(format!("httpListeners[{lname}].sslCertificate"));
    cx.emit(f);
}

fn check_certificate(gw: &Gateway, c: &SslCertificate, cx: &mut RuleCx<'_>) {
    let d = gw.res.dialect;
    let cname = c.name.display_name();
    let gname = gw.res.display_name();
    let kv_prop = d.prop("keyVaultSecretId", "key_vault_secret_id");
    if c.data.is_absent() && c.key_vault_secret_id.is_absent() {
        let f = cx
            .finding(
                format!(
                    "certificate \"{cname}\" of gateway \"{gname}\" has neither `data` nor `{kv_prop}`"
                ),
                c.span,
            )
            .label("a certificate needs its PFX data or a Key Vault secret")
            .help(format!("set `{kv_prop}` (with a user-assigned identity) or `data` and `password`"))
            .resource(&gw.res)
            .property(format!("sslCertificates[{cname}]"));
        cx.emit(f);
        return;
    }
    if c.key_vault_secret_id.is_absent() {
        return;
    }
    let has_user_assigned = match &gw.identity.state {
        Lattice::Absent => Some(false),
        Lattice::Unknown(_) => None,
        Lattice::Known(id) => id
            .kind
            .get()
            .map(|k| k.to_ascii_lowercase().contains("userassigned")),
    };
    match has_user_assigned {
        None => cx.skip(&gw.res, "identity", &gw.identity),
        Some(true) => {}
        Some(false) => {
            let mut f = cx
                .finding(
                    format!(
                        "certificate \"{cname}\" of gateway \"{gname}\" comes from Key Vault, but the \
                         gateway has no user-assigned identity"
                    ),
                    c.key_vault_secret_id.span_or(c.span),
                )
                .label("the gateway reads Key Vault secrets only through a user-assigned identity")
                .help(format!(
                    "add `identity` of type `UserAssigned` to the gateway and grant it access to the \
                     secret, or use `data` instead of `{kv_prop}`"
                ))
                .origins(&c.key_vault_secret_id)
                .resource(&gw.res)
                .property(format!("sslCertificates[{cname}].keyVaultSecretId"));
            if let Some(id) = gw.identity.get() {
                f = f.related(id.kind.span_or(id.span), "identity is not user-assigned");
            }
            cx.emit(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dialect, Identity, Val};
    use crate::rules::testkit::*;

    fn setup(listener_cert: Option<&str>, kv: bool, identity: Val<Identity>) -> Model {
        let mut gw = gateway(Dialect::Arm);
        gw.listeners = k(vec![Listener {
            name: ks("l"),
            protocol: ks("HTTPS"),
            ssl_certificate: listener_cert.map_or_else(crate::model::SubRef::absent, named),
            span: sp(),
            ..Default::default()
        }]);
        gw.ssl_certificates = k(vec![SslCertificate {
            name: ks("cert"),
            key_vault_secret_id: if kv {
                ks("https://kv.vault.azure.net/secrets/c")
            } else {
                Val::absent()
            },
            data: if kv { Val::absent() } else { unk() },
            span: sp(),
        }]);
        gw.identity = identity;
        model(gw, vec![])
    }

    #[test]
    fn listener_without_certificate() {
        let f = run(
            &HttpsListenerCertificate,
            &setup(None, false, Val::absent()),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("https listener"));
        assert!(
            run(
                &HttpsListenerCertificate,
                &setup(Some("cert"), false, Val::absent())
            )
            .is_empty()
        );
    }

    #[test]
    fn key_vault_needs_user_assigned_identity() {
        assert_eq!(
            run(
                &HttpsListenerCertificate,
                &setup(Some("cert"), true, Val::absent())
            )
            .len(),
            1
        );
        let ua = k(Identity {
            kind: ks("SystemAssigned, UserAssigned"),
            ..Default::default()
        });
        assert!(run(&HttpsListenerCertificate, &setup(Some("cert"), true, ua)).is_empty());
        let sys = k(Identity {
            kind: ks("SystemAssigned"),
            ..Default::default()
        });
        assert_eq!(
            run(&HttpsListenerCertificate, &setup(Some("cert"), true, sys)).len(),
            1
        );
        assert!(run(&HttpsListenerCertificate, &setup(Some("cert"), true, unk())).is_empty());
    }
}
