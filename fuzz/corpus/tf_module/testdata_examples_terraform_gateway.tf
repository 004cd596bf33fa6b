locals {
  gw_name = "agw-${var.prefix}"

  listeners = {
    scim = { port = 80 }
  }

  backends = {
    scim = {
      fqdns = [azurerm_linux_function_app.scim.default_hostname]
      probe = "scim-health"
    }
  }
}

resource "azurerm_application_gateway" "main" {
  name                = local.gw_name
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  sku {
    name = var.gateway_sku
    tier = var.gateway_sku
  }

  autoscale_configuration {
    min_capacity = 2
    max_capacity = 10
  }

  gateway_ip_configuration {
    name      = "gw-ip"
    subnet_id = module.network.subnet_ids["agw"]
  }

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.agw.id
  }

  dynamic "frontend_port" {
    for_each = local.listeners
    content {
      name = "${frontend_port.key}-port"
      port = frontend_port.value.port
    }
  }

  dynamic "http_listener" {
    for_each = local.listeners
    content {
      name                           = "${http_listener.key}-listener"
      frontend_ip_configuration_name = "public"
      frontend_port_name             = "${http_listener.key}-port"
      protocol                       = "Http"
    }
  }

  dynamic "backend_address_pool" {
    for_each = local.backends
    content {
      name  = "${backend_address_pool.key}-pool"
      fqdns = backend_address_pool.value.fqdns
    }
  }

  # The host header is not picked from the pool: App Service receives the gateway's host.
  dynamic "backend_http_settings" {
    for_each = local.backends
    content {
      name                  = "${backend_http_settings.key}-https"
      cookie_based_affinity = "Disabled"
      port                  = 443
      protocol              = "Https"
      request_timeout       = var.backend_timeout
      probe_name            = backend_http_settings.value.probe
    }
  }

  probe {
    name                                      = "health"
    protocol                                  = "Https"
    path                                      = "/api/health"
    interval                                  = 30
    timeout                                   = 30
    unhealthy_threshold                       = 3
    pick_host_name_from_backend_http_settings = true
  }

  dynamic "request_routing_rule" {
    for_each = local.backends
    content {
      name                       = "${request_routing_rule.key}-rule"
      priority                   = 100
      rule_type                  = "Basic"
      http_listener_name         = "${request_routing_rule.key}-listener"
      backend_address_pool_name  = "${request_routing_rule.key}-pool"
      backend_http_settings_name = "${request_routing_rule.key}-https"
    }
  }
}

# The old v1 gateway for the admin portal, still waiting for its migration.
resource "azurerm_application_gateway" "legacy" {
  name                = "agw-${var.prefix}-admin"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  sku {
    name     = var.legacy_gateway_sku
    tier     = "Standard"
    capacity = 2
  }

  gateway_ip_configuration {
    name      = "gw-ip"
    subnet_id = module.network.subnet_ids["agw_legacy"]
  }

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.agw.id
  }

  frontend_port {
    name = "http"
    port = 80
  }

  http_listener {
    name                           = "admin"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  dynamic "backend_address_pool" {
    for_each = var.admin_pools
    content {
      name         = backend_address_pool.key
      ip_addresses = backend_address_pool.value
    }
  }

  backend_http_settings {
    name                  = "admin-http"
    cookie_based_affinity = "Disabled"
    port                  = 80
    protocol              = "Http"
    request_timeout       = 30
  }

  request_routing_rule {
    name                       = "admin"
    rule_type                  = "Basic"
    http_listener_name         = "admin"
    backend_address_pool_name  = "admin"
    backend_http_settings_name = "admin-http"
  }
}
