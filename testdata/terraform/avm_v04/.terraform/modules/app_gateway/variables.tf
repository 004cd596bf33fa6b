# A small stand-in for the registry module Azure/avm-res-network-applicationgateway/azurerm
# 0.4.x (azurerm-based), written for agwlint's tests: same input shapes, fewer inputs.

variable "name" {
  type = string
}

variable "location" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "sku" {
  type = object({
    name     = string
    tier     = string
    capacity = optional(number)
  })
}

variable "gateway_ip_configuration" {
  type = object({
    name      = optional(string)
    subnet_id = string
  })
}

variable "public_ip_resource_id" {
  type = string
}

variable "frontend_ports" {
  type = map(object({
    name = string
    port = number
  }))
}

variable "backend_address_pools" {
  type = map(object({
    name         = string
    fqdns        = optional(set(string))
    ip_addresses = optional(set(string))
  }))
  nullable = false
}

variable "backend_http_settings" {
  type = map(object({
    cookie_based_affinity               = optional(string, "Disabled")
    name                                = string
    port                                = number
    protocol                            = string
    host_name                           = optional(string)
    pick_host_name_from_backend_address = optional(bool)
    probe_name                          = optional(string)
    request_timeout                     = optional(number)
  }))
}

variable "probe_configurations" {
  type = map(object({
    name                                      = string
    host                                      = optional(string)
    interval                                  = number
    timeout                                   = number
    unhealthy_threshold                       = number
    protocol                                  = string
    path                                      = string
    pick_host_name_from_backend_http_settings = optional(bool)
  }))
  default = null
}

variable "http_listeners" {
  type = map(object({
    name               = string
    frontend_port_name = string
    host_name          = optional(string)
  }))
}

variable "request_routing_rules" {
  type = map(object({
    name                       = string
    rule_type                  = string
    http_listener_name         = string
    backend_address_pool_name  = string
    backend_http_settings_name = string
    priority                   = optional(number)
  }))
}

variable "diagnostic_settings" {
  type = map(object({
    name                  = optional(string)
    workspace_resource_id = optional(string)
  }))
  default  = {}
  nullable = false
}
