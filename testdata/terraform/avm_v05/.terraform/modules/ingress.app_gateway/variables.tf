# A small stand-in for the registry module Azure/avm-res-network-applicationgateway/azurerm
# 0.5.x (azapi-based), written for agwlint's tests: ARM-shaped list inputs, the request body
# built in locals, fewer inputs than the real module.

variable "name" {
  type = string
}

variable "location" {
  type = string
}

variable "parent_id" {
  type = string
}

variable "sku" {
  type = object({
    capacity = optional(number)
    name     = optional(string)
    tier     = optional(string)
  })
  default = null
}

variable "gateway_ip_configurations" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      subnet = optional(object({
        id = optional(string)
      }))
    }))
  }))
  default = null
}

variable "frontend_ip_configurations" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      public_ip_address = optional(object({
        id = optional(string)
      }))
    }))
  }))
  default = null
}

variable "frontend_ports" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      port = optional(number)
    }))
  }))
  default = null
}

variable "backend_address_pools" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      backend_addresses = optional(list(object({
        fqdn       = optional(string)
        ip_address = optional(string)
      })))
    }))
  }))
  default = null
}

variable "backend_http_settings_collection" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      cookie_based_affinity               = optional(string)
      host_name                           = optional(string)
      pick_host_name_from_backend_address = optional(bool)
      port                                = optional(number)
      protocol                            = optional(string)
      request_timeout                     = optional(number)
      probe = optional(object({
        id = optional(string)
      }))
    }))
  }))
  default = null
}

variable "probes" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      host                                      = optional(string)
      interval                                  = optional(number)
      path                                      = optional(string)
      pick_host_name_from_backend_http_settings = optional(bool)
      protocol                                  = optional(string)
      timeout                                   = optional(number)
      unhealthy_threshold                       = optional(number)
    }))
  }))
  default = null
}

variable "http_listeners" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      frontend_ip_configuration = optional(object({
        id = optional(string)
      }))
      frontend_port = optional(object({
        id = optional(string)
      }))
      host_name = optional(string)
      protocol  = optional(string)
    }))
  }))
  default = null
}

variable "request_routing_rules" {
  type = list(object({
    name = optional(string)
    properties = optional(object({
      backend_address_pool = optional(object({
        id = optional(string)
      }))
      backend_http_settings = optional(object({
        id = optional(string)
      }))
      http_listener = optional(object({
        id = optional(string)
      }))
      priority  = optional(number)
      rule_type = optional(string)
    }))
  }))
  default = null
}
