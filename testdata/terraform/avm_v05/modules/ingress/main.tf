# The team's own ingress module: wraps the registry gateway module (AVM 0.5.x shape).

variable "region" {
  type = string
}

variable "resource_group_id" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "public_ip_id" {
  type = string
}

variable "backend_fqdn" {
  type = string
}

locals {
  gateway_name = "agw-shop-${var.region}"
  gateway_id   = "${var.resource_group_id}/providers/Microsoft.Network/applicationGateways/${local.gateway_name}"
}

module "app_gateway" {
  source  = "Azure/avm-res-network-applicationgateway/azurerm"
  version = "0.5.3"

  name      = local.gateway_name
  location  = var.region
  parent_id = var.resource_group_id

  sku = {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }

  gateway_ip_configurations = [{
    name = "gateway-ip"
    properties = {
      subnet = { id = var.subnet_id }
    }
  }]

  frontend_ip_configurations = [{
    name       = "public"
    properties = { public_ip_address = { id = var.public_ip_id } }
  }]

  frontend_ports = [{
    name       = "http"
    properties = { port = 80 }
  }]

  backend_address_pools = [{
    name = "shop-pool"
    properties = {
      backend_addresses = [{ fqdn = var.backend_fqdn }]
    }
  }]

  backend_http_settings_collection = [{
    name = "shop-https"
    properties = {
      port                                = 443
      protocol                            = "Https"
      pick_host_name_from_backend_address = false
      request_timeout                     = 30
      probe                               = { id = "${local.gateway_id}/probes/shop-probe" }
    }
  }]

  probes = [{
    name = "shop-probe"
    properties = {
      protocol                                  = "Https"
      path                                      = "healthz"
      interval                                  = 30
      timeout                                   = 30
      unhealthy_threshold                       = 3
      pick_host_name_from_backend_http_settings = true
    }
  }]

  http_listeners = [{
    name = "http"
    properties = {
      protocol      = "Http"
      frontend_port = { id = "${local.gateway_id}/frontendPorts/http" }
      frontend_ip_configuration = { id = "${local.gateway_id}/frontendIPConfigurations/public" }
    }
  }]

  request_routing_rules = [{
    name = "shop"
    properties = {
      rule_type             = "Basic"
      priority              = 100
      http_listener         = { id = "${local.gateway_id}/httpListeners/http" }
      backend_address_pool  = { id = "${local.gateway_id}/backendAddressPools/shop-pool" }
      backend_http_settings = { id = "${local.gateway_id}/backendHttpSettingsCollection/shop-https" }
    }
  }]
}
