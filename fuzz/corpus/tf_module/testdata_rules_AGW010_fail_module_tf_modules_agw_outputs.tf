output "id" {
  value = azurerm_application_gateway.this.id
}
