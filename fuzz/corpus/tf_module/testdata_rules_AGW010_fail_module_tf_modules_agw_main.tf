resource "azurerm_application_gateway" "this" {
  name                = var.name
  location            = var.location
  resource_group_name = var.resource_group_name

  sku {
    name = "Standard_v2"
    tier = "Standard_v2"
  }

  autoscale_configuration {
    min_capacity = 2
    max_capacity = 10
  }

  gateway_ip_configuration {
    name      = "gw-ip"
    subnet_id = var.subnet_id
  }

  frontend_port {
    name = "http"
    port = 80
  }

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = var.public_ip_id
  }

  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  dynamic "backend_address_pool" {
    for_each = var.backends
    content {
      name  = "${backend_address_pool.key}-pool"
      fqdns = [backend_address_pool.value.fqdn]
    }
  }

  dynamic "backend_http_settings" {
    for_each = var.backends
    iterator = be
    content {
      name                                = "${be.key}-settings"
      cookie_based_affinity               = "Disabled"
      port                                = be.value.port
      protocol                            = be.value.protocol
      request_timeout                     = 60
      pick_host_name_from_backend_address = be.value.pick_host
    }
  }

  dynamic "request_routing_rule" {
    for_each = var.backends
    content {
      name                       = "${request_routing_rule.key}-rule"
      priority                   = 100
      rule_type                  = "Basic"
      http_listener_name         = "http"
      backend_address_pool_name  = "${request_routing_rule.key}-pool"
      backend_http_settings_name = "${request_routing_rule.key}-settings"
    }
  }
}
