resource "azurerm_service_plan" "fn" {
  name                = "asp-${var.prefix}"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  os_type             = "Linux"
  sku_name            = "EP1"
}

resource "azurerm_storage_account" "fn" {
  name                     = "st${replace(var.prefix, "-", "")}fn"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_linux_function_app" "scim" {
  name                       = "func-${var.prefix}"
  location                   = azurerm_resource_group.rg.location
  resource_group_name        = azurerm_resource_group.rg.name
  service_plan_id            = azurerm_service_plan.fn.id
  storage_account_name       = azurerm_storage_account.fn.name
  storage_account_access_key = azurerm_storage_account.fn.primary_access_key
  https_only                 = true
  virtual_network_subnet_id  = module.network.subnet_ids["func"]

  site_config {
    minimum_tls_version = "1.2"
    application_stack {
      dotnet_version              = "8.0"
      use_dotnet_isolated_runtime = true
    }
  }

  app_settings = {
    AzureFunctionsJobHost__functionTimeout = "00:10:00"
  }
}
