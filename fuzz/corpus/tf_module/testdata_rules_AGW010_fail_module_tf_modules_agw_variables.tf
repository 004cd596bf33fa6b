variable "name" {
  type = string
}

variable "location" {
  type = string
}

variable "resource_group_name" {
  type = string
}

variable "subnet_id" {
  type = string
}

variable "public_ip_id" {
  type = string
}

variable "backends" {
  description = "Backends by key: host name, port, protocol, and whether to pick the host name from the backend address."
  type = map(object({
    fqdn      = string
    port      = number
    protocol  = string
    pick_host = bool
  }))
}
