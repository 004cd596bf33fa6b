resource "azapi_resource" "this" {
  location  = var.location
  name      = var.name
  parent_id = var.parent_id
  type      = "Microsoft.Network/applicationGateways@2025-03-01"
  body      = local.resource_body

  ignore_null_property = true
}

moved {
  from = azurerm_application_gateway.this
  to   = azapi_resource.this
}

output "resource_id" {
  value = azapi_resource.this.id
}
