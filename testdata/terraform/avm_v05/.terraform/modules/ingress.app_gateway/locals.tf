locals {
  resource_body = {
    properties = {
      gatewayIPConfigurations = var.gateway_ip_configurations == null ? null : [for item in var.gateway_ip_configurations : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          subnet = item.properties.subnet == null ? null : {
            id = item.properties.subnet.id
          }
        }
      }]
      frontendIPConfigurations = var.frontend_ip_configurations == null ? null : [for item in var.frontend_ip_configurations : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          publicIPAddress = item.properties.public_ip_address == null ? null : {
            id = item.properties.public_ip_address.id
          }
        }
      }]
      frontendPorts = var.frontend_ports == null ? null : [for item in var.frontend_ports : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          port = item.properties.port
        }
      }]
      backendAddressPools = var.backend_address_pools == null ? null : [for item in var.backend_address_pools : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          backendAddresses = item.properties.backend_addresses == null ? null : [for item in item.properties.backend_addresses : item == null ? null : {
            fqdn      = item.fqdn
            ipAddress = item.ip_address
          }]
        }
      }]
      backendHttpSettingsCollection = var.backend_http_settings_collection == null ? null : [for item in var.backend_http_settings_collection : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          cookieBasedAffinity            = item.properties.cookie_based_affinity
          hostName                       = item.properties.host_name
          pickHostNameFromBackendAddress = item.properties.pick_host_name_from_backend_address
          port                           = item.properties.port
          probe = item.properties.probe == null ? null : {
            id = item.properties.probe.id
          }
          protocol       = item.properties.protocol
          requestTimeout = item.properties.request_timeout
        }
      }]
      probes = var.probes == null ? null : [for item in var.probes : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          host                                = item.properties.host
          interval                            = item.properties.interval
          path                                = item.properties.path
          pickHostNameFromBackendHttpSettings = item.properties.pick_host_name_from_backend_http_settings
          protocol                            = item.properties.protocol
          timeout                             = item.properties.timeout
          unhealthyThreshold                  = item.properties.unhealthy_threshold
        }
      }]
      httpListeners = var.http_listeners == null ? null : [for item in var.http_listeners : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          frontendIPConfiguration = item.properties.frontend_ip_configuration == null ? null : {
            id = item.properties.frontend_ip_configuration.id
          }
          frontendPort = item.properties.frontend_port == null ? null : {
            id = item.properties.frontend_port.id
          }
          hostName = item.properties.host_name
          protocol = item.properties.protocol
        }
      }]
      requestRoutingRules = var.request_routing_rules == null ? null : [for item in var.request_routing_rules : item == null ? null : {
        name = item.name
        properties = item.properties == null ? null : {
          backendAddressPool = item.properties.backend_address_pool == null ? null : {
            id = item.properties.backend_address_pool.id
          }
          backendHttpSettings = item.properties.backend_http_settings == null ? null : {
            id = item.properties.backend_http_settings.id
          }
          httpListener = item.properties.http_listener == null ? null : {
            id = item.properties.http_listener.id
          }
          priority = item.properties.priority
          ruleType = item.properties.rule_type
        }
      }]
      sku = var.sku == null ? null : {
        capacity = var.sku.capacity
        name     = var.sku.name
        tier     = var.sku.tier
      }
    }
  }
}
