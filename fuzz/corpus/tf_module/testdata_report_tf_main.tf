resource "azurerm_application_gateway" "gw" {
  name = "agw-😀-edge"

  backend_http_settings {
    name            = "a,b:c%d"
    request_timeout = 10
  }
}
