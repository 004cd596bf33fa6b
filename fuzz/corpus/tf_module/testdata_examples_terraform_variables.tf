variable "prefix" {
  description = "Name prefix of every resource."
  type        = string
  default     = "scim"
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "gateway_sku" {
  description = "Application Gateway SKU (name and tier)."
  type        = string
  default     = "Standard_v2"
}

variable "legacy_gateway_sku" {
  description = "SKU of the old gateway still serving the admin portal."
  type        = string
  default     = "Standard_Medium"
}

variable "backend_timeout" {
  type    = number
  default = 60
}

variable "admin_pools" {
  description = "Admin portal backends; filled in per environment."
  type        = map(list(string))
  default = {
    admin = []
  }
}
